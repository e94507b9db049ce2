package io.nexussync.core.apply;

import java.util.Map;

/**
 * Where the graph keeps each partition's next offset for a consumer group, committed with the data it covers by
 * {@link GraphWriter#applyConsumed}. A consumer seeks its partitions here on assignment, and after an
 * {@link OffsetsMovedException}; Kafka's own committed offsets are not used. Thread-safe.
 */
public interface ConsumerOffsetStore {

    /** The next offset per partition the graph holds for {@code group} on {@code topic} (partitions without a record are absent). */
    Map<Integer, Long> loadOffsets(String group, String topic);

    /**
     * Forgets every offset of {@code group}, on every topic, so that its next batches are taken from wherever they start
     * (a reset). Only with the group's consumers stopped: a batch in flight would otherwise store its offsets again.
     */
    void resetOffsets(String group);
}
