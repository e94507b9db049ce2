package io.nexussync.core.apply;

import io.nexussync.core.critical.CriticalDecision;

/**
 * What {@link GraphWriter#applyCritical} did: the decision that stands for the transaction (the one asked for, or
 * one recorded before, which wins), and the writes, made only when the decision asked for was recorded and commits.
 */
public record CriticalApplied(ApplyResult result, CriticalDecision standing, boolean planWritten) {
}
