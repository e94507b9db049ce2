package io.nexussync.core.apply;

import io.nexussync.core.error.SyncException;

/**
 * The graph holds another next offset for a partition than the batch started from: another consumer applied those records
 * (a zombie's late batch after a rebalance, a retry after its partition moved), or the batch skipped some (a gap). Nothing
 * of the batch was written. Not retryable: the consumer must seek its partitions to the graph's offsets
 * ({@link ConsumerOffsetStore#loadOffsets}) and poll again, or give them up if they are no longer its own.
 *
 * <p>Also what a retry of a batch whose commit succeeded but was not confirmed (the connection broke during the commit) sees:
 * then {@link #found()} is the batch's own next offset, and seeking there is right too.
 */
public final class OffsetsMovedException extends SyncException {
    private final String group;
    private final String topic;
    private final int partition;
    private final long expected;
    private final long found;

    /**
     * @param expected the offset the batch started from
     * @param found    the next offset the graph holds for the partition
     */
    public OffsetsMovedException(String group, String topic, int partition, long expected, long found) {
        super("consumer group '" + group + "': the graph holds next offset " + found + " for topic '" + topic + "' partition " + partition
                + ", not " + expected + " where this batch started (" + (found > expected ? "another consumer applied those records" : "the batch skipped records")
                + "); nothing of the batch was written: seek the group's partitions to the offsets in the graph", null, false);
        this.group = group;
        this.topic = topic;
        this.partition = partition;
        this.expected = expected;
        this.found = found;
    }

    public String group() {
        return group;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /** Where the batch started on {@link #partition()}. */
    public long expected() {
        return expected;
    }

    /** The next offset the graph holds for {@link #partition()}: where the consumer is to seek. */
    public long found() {
        return found;
    }
}
