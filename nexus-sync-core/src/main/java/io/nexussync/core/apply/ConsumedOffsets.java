package io.nexussync.core.apply;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one batch consumed from Kafka: per partition, the offset it started from (what the graph must hold as that
 * partition's next offset, or hold nothing yet) and the next offset after its last record. Written with the batch
 * ({@link CommitRecord.Consumed}, {@link GraphWriter#applyConsumed}); read back through {@link ConsumerOffsetStore}.
 *
 * @param group  the consumer group whose position this is: each group (each graph it feeds) keeps its own offsets
 * @param ranges at least one, at most one per topic and partition
 */
public record ConsumedOffsets(String group, List<PartitionRange> ranges) {

    public ConsumedOffsets {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("consumed offsets need the consumer group they belong to: give its group.id");
        }
        if (ranges == null || ranges.isEmpty()) {
            throw new IllegalArgumentException("consumed offsets of group '" + group + "' name no partition: a batch records the range"
                    + " of every partition it consumed from, so give at least one");
        }
        ranges = List.copyOf(ranges);
        Set<String> seen = new HashSet<>();
        for (PartitionRange range : ranges) {
            if (!seen.add(range.topic() + "\u0000" + range.partition())) {
                throw new IllegalArgumentException("consumed offsets of group '" + group + "' give topic '" + range.topic() + "' partition "
                        + range.partition() + " twice: give one range per partition, from the batch's first record to after its last");
            }
        }
    }

    public static ConsumedOffsets of(String group, PartitionRange... ranges) {
        return new ConsumedOffsets(group, List.of(ranges));
    }

    /**
     * The records {@code [from, next)} of one partition.
     *
     * @param from the offset of the batch's first record of this partition, which is the partition's next offset the graph
     *             holds unless the batch is the group's first on it
     * @param next the offset after the batch's last record of this partition, which the graph holds once the batch commits
     */
    public record PartitionRange(String topic, int partition, long from, long next) {
        public PartitionRange {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("a consumed range needs the topic it was read from");
            }
            if (partition < 0) {
                throw new IllegalArgumentException("topic '" + topic + "' has no partition " + partition + ": partitions count from 0");
            }
            if (from < 0) {
                throw new IllegalArgumentException("topic '" + topic + "' partition " + partition + ": a range cannot start at offset "
                        + from + ": offsets count from 0");
            }
            if (next <= from) {
                throw new IllegalArgumentException("topic '" + topic + "' partition " + partition + ": a range must end after it starts"
                        + " (from " + from + ", next " + next + "): next is the offset after the batch's last record, so at least from + 1");
            }
        }

        /** How many offsets the range covers (records, and transaction markers a read_committed consumer skips). */
        public long count() {
            return next - from;
        }

        @Override
        public String toString() {
            return topic + "-" + partition + "[" + from + ", " + next + ")";
        }
    }

    @Override
    public String toString() {
        return group + " " + ranges;
    }

    /** The range of {@code topic}'s {@code partition}, or null when this batch consumed nothing from it. */
    public PartitionRange range(String topic, int partition) {
        for (PartitionRange range : ranges) {
            if (range.partition() == partition && Objects.equals(range.topic(), topic)) {
                return range;
            }
        }
        return null;
    }
}
