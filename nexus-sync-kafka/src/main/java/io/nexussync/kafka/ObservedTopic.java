package io.nexussync.kafka;

/**
 * What the brokers say an existing topic is: the part of it that {@link TopicCheck} compares with a {@link ChangeTopic}.
 *
 * @param retentionMs {@code -1}: kept forever
 * @param minInsyncReplicas the topic's effective value (its own or the brokers' default)
 */
record ObservedTopic(String name, int partitions, int replicationFactor, long retentionMs, String cleanupPolicy,
        int minInsyncReplicas) {}
