package io.nexussync.app.service;

import io.nexussync.app.config.SyncConfig;

/**
 * How {@code status} and {@code /status} show {@code sync.write-back}, in the same words: {@code on}, or {@code off} for a
 * graph whose rows hold another graph's elementIds (so an operator looking at a graph sees which one writes back).
 */
public final class WriteBackStatus {
    private WriteBackStatus() {}

    public static String of(SyncConfig config) {
        return config.writeBack() ? "on" : "off";
    }
}
