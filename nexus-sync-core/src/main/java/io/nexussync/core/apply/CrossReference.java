package io.nexussync.core.apply;

import io.nexussync.core.plan.NodeMapping;

/** A node's elementId to be written back into its row's cross-reference column. */
public record CrossReference(NodeMapping mapping, String id, String elementId) {}
