package io.nexussync.neo4j;

import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.ConsumedOffsets.PartitionRange;
import io.nexussync.core.apply.OffsetsMovedException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Record;
import org.neo4j.driver.Transaction;

/**
 * How a Kafka consumer group's position is stored: one {@code (:_SyncKafkaOffset {group, topic, partition, next})} per
 * partition, unique on (group, topic, partition) ({@link Neo4jSchema}), {@code next} being the offset after the last record
 * the graph holds. A batch's transaction first {@link #claim}s its partitions, then writes its plan, then runs {@link #ADVANCE}.
 */
final class KafkaOffsetRecords {
    /**
     * MERGE makes the record of a partition the group has never written (the uniqueness constraint makes a second creator wait
     * for the first and then find its node); MERGE of an existing node locks nothing, so the write lock is taken explicitly,
     * and {@code next} is read only after it: a racing batch's commit is then seen, not the value from before it.
     */
    private static final String CLAIM = "UNWIND $ranges AS range "
            + "MERGE (o:`_SyncKafkaOffset` {group: $group, topic: range.topic, partition: range.partition}) "
            + "SET o.`_nexusSyncLock` = true REMOVE o.`_nexusSyncLock` "
            + "RETURN range.topic AS topic, range.partition AS partition, range.from AS expected, o.next AS found";
    /** Runs after {@link #CLAIM} in the same transaction, so every record exists and is locked by it. */
    static final String ADVANCE = "UNWIND $ranges AS range "
            + "MATCH (o:`_SyncKafkaOffset` {group: $group, topic: range.topic, partition: range.partition}) "
            + "SET o.next = range.next, o.updatedAt = datetime()";
    static final String LOAD = "MATCH (o:`_SyncKafkaOffset` {group: $group, topic: $topic}) WHERE o.next IS NOT NULL "
            + "RETURN o.partition AS partition, o.next AS next";
    static final String RESET = "MATCH (o:`_SyncKafkaOffset` {group: $group}) DELETE o";

    /** One order for every batch's locks, so that two batches sharing partitions wait for each other instead of deadlocking. */
    private static final Comparator<PartitionRange> LOCK_ORDER = Comparator.comparing(PartitionRange::topic).thenComparingInt(PartitionRange::partition);

    private KafkaOffsetRecords() {
    }

    /** The parameters of {@link #CLAIM} and {@link #ADVANCE}. */
    static Map<String, Object> parameters(ConsumedOffsets offsets) {
        List<Map<String, Object>> ranges = offsets.ranges().stream().sorted(LOCK_ORDER)
                .map(r -> Map.<String, Object>of("topic", r.topic(), "partition", (long) r.partition(), "from", r.from(), "next", r.next()))
                .toList();
        return Map.of("group", offsets.group(), "ranges", ranges);
    }

    /**
     * Locks each partition's record and checks that it holds where the batch starts, or nothing yet.
     *
     * @throws OffsetsMovedException for the first partition (in lock order) that holds another offset; the caller's
     *                               transaction must then be rolled back
     */
    static void claim(Transaction tx, String group, Map<String, Object> parameters) {
        for (Record r : tx.run(CLAIM, parameters).list()) {
            if (r.get("found").isNull()) {
                continue;
            }
            long expected = r.get("expected").asLong();
            long found = r.get("found").asLong();
            if (found != expected) {
                throw new OffsetsMovedException(group, r.get("topic").asString(), r.get("partition").asInt(), expected, found);
            }
        }
    }
}
