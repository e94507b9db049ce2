package io.nexussync.kafka.apply;

import io.nexussync.core.acknowledge.BatchSummary;
import io.nexussync.core.acknowledge.SyncLog.BatchRecord;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.ConsumerOffsetStore;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.OffsetsMovedException;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.kafka.records.ConsumedChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply role: one member of a consumer group on the change topic, writing what it consumes through the planner and
 * the one way into the graph ({@link GraphCommit}), with each partition's next offset in the same Neo4j transaction
 * ({@link CommitRecord#of(ConsumedOffsets)}). The graph's offsets, not Kafka's committed ones, say where a partition
 * resumes: on assignment the consumer seeks to them. A batch carries, per partition, the offset it started from, and the
 * graph refuses it whole when it holds another ({@link OffsetsMovedException}: the partition moved to another member,
 * which applied it first); this member then seeks to the graph's offsets again. So no change is applied twice and none
 * is skipped, whatever the rebalances and crashes. Offsets are also committed to Kafka after each batch, for the lag
 * tools that read them there; nothing here reads them back.
 *
 * <p>Single-threaded: {@link #run} polls, plans and writes on the caller's thread; {@link #stop} may come from any.
 */
public final class KafkaApply {
    private static final Logger log = LoggerFactory.getLogger(KafkaApply.class);
    private static final Comparator<ConsumedChange> STREAM_ORDER = Comparator.comparing(ConsumedChange::position);

    private final Consumer<byte[], byte[]> consumer;
    private final String group;
    private final String topic;
    private final ChangeRecordReader reader;
    private final GraphPlanner planner;
    private final GraphCommit graph;
    private final ConsumerOffsetStore offsets;
    private final Checkpoint handedOver;
    private final Duration pollTimeout;
    private final RetryPolicy.RetryListener retries;
    /** The next offset of each partition assigned to this member: where its next batch starts, as the graph holds it. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<Integer, Long> lag = new ConcurrentHashMap<>();
    private final java.util.Set<Integer> partitionsSeen = ConcurrentHashMap.newKeySet();
    private volatile java.util.function.IntConsumer firstSeen = partition -> { };
    private volatile boolean stopping;
    private volatile long applied;

    /**
     * @param handedOver the stream checkpoint a {@code run} left in the graph before the roles took over: changes it
     *                   covers are in the graph already and are passed over ({@link Checkpoint#NONE} for none)
     */
    public KafkaApply(Consumer<byte[], byte[]> consumer, String group, String topic, ChangeRecordReader reader, GraphPlanner planner,
                      GraphCommit graph, ConsumerOffsetStore offsets, Checkpoint handedOver, Duration pollTimeout,
                      RetryPolicy.RetryListener retries) {
        this.consumer = consumer;
        this.group = group;
        this.topic = topic;
        this.reader = reader;
        this.planner = planner;
        this.graph = graph;
        this.offsets = offsets;
        this.handedOver = handedOver;
        this.pollTimeout = pollTimeout;
        this.retries = retries;
    }

    /** Consumes and applies until {@link #stop}; the batch in hand is finished first. */
    public void run() throws InterruptedException {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                noteLag();
                if (!records.isEmpty() || movedPastRecords()) {
                    applyBatch(records);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw SyncException.retryable("the consumer of " + topic + " was woken up without a stop", e);
            }
        } catch (KafkaException e) {
            throw SyncException.retryable("consuming " + topic + " failed (" + e.getClass().getSimpleName() + "); apply starts again "
                    + "from the offsets the graph holds", e);
        } finally {
            graph.drain();
        }
    }

    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** Changes written to the graph by this member since it started. */
    public long applied() {
        return applied;
    }

    /** Told once of each partition this member is first given (for a gauge per partition). */
    public void onFirstAssignment(java.util.function.IntConsumer listener) {
        firstSeen = listener;
        partitionsSeen.forEach(listener::accept);
    }

    /** Records not yet consumed, per assigned partition, as of the last poll (partitions Kafka gave no figure for are absent). */
    public Map<Integer, Long> lag() {
        return Map.copyOf(lag);
    }

    private void applyBatch(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<ConsumedOffsets.PartitionRange> ranges = new ArrayList<>();
        List<ConsumedChange> changes = new ArrayList<>();
        Map<TopicPartition, Long> after = new HashMap<>();
        for (TopicPartition partition : List.copyOf(next.keySet())) {
            List<ConsumerRecord<byte[], byte[]>> part = records.records(partition);
            Long from = next.get(partition);
            if (part.isEmpty()) {
                // No record, but the consumer read past a transaction marker (or an aborted transaction's records): the
                // graph's offset moves there too, so that a partition applied to its end shows no lag.
                long position = consumer.position(partition);
                if (position > from) {
                    ranges.add(new ConsumedOffsets.PartitionRange(partition.topic(), partition.partition(), from, position));
                    after.put(partition, position);
                }
                continue;
            }
            // Past the transaction marker after the last record when the consumer has read it: a partition applied to its end
            // then holds the end offset Kafka reports, so its lag reads 0.
            long end = Math.max(part.get(part.size() - 1).offset() + 1, consumer.position(partition));
            ranges.add(new ConsumedOffsets.PartitionRange(partition.topic(), partition.partition(), from, end));
            after.put(partition, end);
            for (ConsumerRecord<byte[], byte[]> record : part) {
                ConsumedChange change = reader.read(record);
                if (change != null && !handedOver.isApplied(change.position())) {
                    changes.add(change);
                }
            }
        }
        if (ranges.isEmpty()) {
            return;
        }
        // Each partition's records are in stream order already; across partitions, stream order is the best guess there is.
        changes.sort(STREAM_ORDER);
        List<SourceChange> sourceChanges = changes.stream().map(ConsumedChange::change).toList();
        GraphWritePlan plan = planner.plan(sourceChanges);
        java.time.Instant started = java.time.Instant.now();
        ApplyResult result;
        try {
            result = graph.write(plan, CommitRecord.of(new ConsumedOffsets(group, ranges)), retries);
        } catch (OffsetsMovedException moved) {
            log.info("the graph holds other offsets than this batch started from ({}): another member applied them; seeking to the "
                    + "graph's offsets", moved.getMessage());
            seekToGraph(new ArrayList<>(next.keySet()));
            return;
        }
        next.putAll(after);
        applied += sourceChanges.size();
        GraphCommit.AfterCommit then = GraphCommit.AfterCommit.of(result, retries);
        graph.afterCommit(records.isEmpty() ? then : then.logged(logRow(changes, plan, ranges, result, started)));
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        after.forEach((partition, offset) -> commit.put(partition, new OffsetAndMetadata(offset)));
        consumer.commitAsync(commit, (done, failure) -> {
            if (failure != null) {
                log.debug("committing offsets to Kafka (for lag tools only) failed: {}", failure.toString());
            }
        });
    }

    /** Whether the consumer read past the graph's offset of a partition without a record (past markers only). */
    private boolean movedPastRecords() {
        for (Map.Entry<TopicPartition, Long> partition : next.entrySet()) {
            if (consumer.position(partition.getKey()) > partition.getValue()) {
                return true;
            }
        }
        return false;
    }

    /** The transaction log's row of a batch: its first and last change's transaction, and the offsets it consumed. */
    private static BatchRecord logRow(List<ConsumedChange> changes, GraphWritePlan plan, List<ConsumedOffsets.PartitionRange> ranges,
                                      ApplyResult result, java.time.Instant started) {
        Map<String, List<Long>> consumed = new java.util.TreeMap<>();
        for (ConsumedOffsets.PartitionRange range : ranges) {
            consumed.put(range.topic() + "/" + range.partition(), List.of(range.from(), range.next()));
        }
        List<SourceChange> sourceChanges = changes.stream().map(ConsumedChange::change).toList();
        Lsn from = changes.isEmpty() ? Lsn.INVALID : changes.get(0).position().tx();
        Lsn to = changes.isEmpty() ? Lsn.INVALID : changes.get(changes.size() - 1).position().tx();
        return new BatchRecord(from, to, changes.size(), plan.steps().size(), result.nodeRows(), result.relationshipRows(),
                result.crossReferences().size(), java.time.Duration.between(started, java.time.Instant.now()),
                BatchSummary.of(sourceChanges, plan).withConsumed(consumed));
    }

    private void noteLag() {
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong current = consumer.currentLag(partition);
            if (current.isPresent()) {
                lag.put(partition.partition(), current.getAsLong());
            }
            if (partitionsSeen.add(partition.partition())) {
                firstSeen.accept(partition.partition());
            }
        }
    }

    /** Seeks each partition to the offset the graph holds for it, or to the topic's beginning when it holds none. */
    private void seekToGraph(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<Integer, Long> stored = offsets.loadOffsets(group, topic);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long offset = stored.get(partition.partition());
            if (offset == null) {
                fromStart.add(partition);
            } else {
                consumer.seek(partition, offset);
                next.put(partition, offset);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
            for (TopicPartition partition : fromStart) {
                next.put(partition, consumer.position(partition));
            }
        }
        log.info("partitions {} of {} resume at the graph's offsets {}", partitions.stream().map(TopicPartition::partition).sorted().toList(),
                topic, partitions.stream().sorted(Comparator.comparingInt(TopicPartition::partition)).map(next::get).toList());
    }

    /** Runs inside {@code poll}, between batches: nothing is in flight when partitions come or go. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            seekToGraph(partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(next::remove);
            partitions.forEach(p -> lag.remove(p.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
