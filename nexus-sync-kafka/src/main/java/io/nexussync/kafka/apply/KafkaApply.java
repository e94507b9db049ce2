package io.nexussync.kafka.apply;

import io.nexussync.core.acknowledge.BatchSummary;
import io.nexussync.core.acknowledge.SyncLog.BatchRecord;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.ConsumedAt;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.ConsumerOffsetStore;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.OffsetsMovedException;
import io.nexussync.core.deadletter.BatchIsolation;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.deadletter.ParkedEntities;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.schedule.Footprint;
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
 * <h2>Lanes: the critical topic first</h2>
 * With a critical topic (capture's, {@code io.nexussync.kafka.capture.CriticalRouting}), this member subscribes to both
 * and, after each poll, writes the critical topic's records as a batch of their own (one graph transaction) before the
 * change topic's. The critical records overtake older changes of their entity (the graph guards that order); a newer
 * change must not overtake them the other way. So the change topic's records of a poll are written only once every
 * critical partition of this member has been read up to the committed end the broker reported after that poll (a
 * critical record older than a change record committed no later than it). Until then those records wait in memory and
 * the change topic's partitions are paused, so the next polls fetch only the critical topic: a critical change waits
 * behind no backlog, whatever partition it is in. The ends read are kept until reached, so critical records committed
 * later never hold the change topic up again. Each topic's partitions keep their own offsets in the graph, fenced as
 * above; the range assignor gives one member partition n of both topics ({@code KafkaClientConfigs#applyConsumer}).
 * What this cannot see: a Kafka commit's markers reach the partitions one by one, so for an instant a change record can
 * be readable while the critical record of its own transaction is not yet below the critical partition's committed end
 * (README "Limits").
 *
 * <p>Single-threaded: {@link #run} polls, plans and writes on the caller's thread; {@link #stop} may come from any.
 */
public final class KafkaApply {
    private static final Logger log = LoggerFactory.getLogger(KafkaApply.class);
    private static final Comparator<BatchIsolation.Entry> STREAM_ORDER = Comparator.comparing(entry -> entry.positions().get(0));

    private final Consumer<byte[], byte[]> consumer;
    private final String group;
    private final String topic;
    /** Null: only the change topic (a Debezium topic, or lanes not in use). */
    private final String criticalTopic;
    private final ChangeRecordReader reader;
    private final GraphPlanner planner;
    private final GraphCommit graph;
    private final ConsumerOffsetStore offsets;
    private final Checkpoint handedOver;
    private final Duration pollTimeout;
    private final RetryPolicy.RetryListener retries;
    /** The next offset of each partition assigned to this member: where its next batch starts, as the graph holds it. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
    private final java.util.Set<TopicPartition> partitionsSeen = ConcurrentHashMap.newKeySet();
    private volatile java.util.function.Consumer<TopicPartition> firstSeen = partition -> { };
    /** The change topic's records polled but not written yet: they wait until the critical partitions reach {@link #criticalTargets}. */
    private Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> held = new HashMap<>();
    /** The critical partitions' committed ends read after the held records were polled (empty: none held). */
    private Map<TopicPartition, Long> criticalTargets = Map.of();
    private volatile boolean stopping;
    private volatile long applied;
    /** Where changes the graph refuses go: none (a refusal stops this member, as before) until {@link #deadLetters} says. */
    private DeadLetterStore deadLetters = DeadLetterStore.NONE;
    /** The entities waiting behind open dead letters of this group, loaded at {@link #run}'s start. */
    private ParkedEntities parked = ParkedEntities.NONE;
    private volatile long deadLettered;
    private volatile long parkedChanges;

    /**
     * @param handedOver the stream checkpoint a {@code run} left in the graph before the roles took over: changes it
     *                   covers are in the graph already and are passed over ({@link Checkpoint#NONE} for none)
     */
    public KafkaApply(Consumer<byte[], byte[]> consumer, String group, String topic, ChangeRecordReader reader, GraphPlanner planner,
                      GraphCommit graph, ConsumerOffsetStore offsets, Checkpoint handedOver, Duration pollTimeout,
                      RetryPolicy.RetryListener retries) {
        this(consumer, group, topic, null, reader, planner, graph, offsets, handedOver, pollTimeout, retries);
    }

    /** @param criticalTopic capture's critical topic, consumed first (null for none: a Debezium topic) */
    public KafkaApply(Consumer<byte[], byte[]> consumer, String group, String topic, String criticalTopic, ChangeRecordReader reader,
                      GraphPlanner planner, GraphCommit graph, ConsumerOffsetStore offsets, Checkpoint handedOver, Duration pollTimeout,
                      RetryPolicy.RetryListener retries) {
        this.consumer = consumer;
        this.group = group;
        this.topic = topic;
        this.criticalTopic = criticalTopic;
        this.reader = reader;
        this.planner = planner;
        this.graph = graph;
        this.offsets = offsets;
        this.handedOver = handedOver;
        this.pollTimeout = pollTimeout;
        this.retries = retries;
    }

    /**
     * Where the changes the graph refuses go (before {@link #run}): each becomes a dead letter naming where it was consumed,
     * later changes to its entities wait behind it, and the rest of its batch and its partition go on.
     */
    public KafkaApply deadLetters(DeadLetterStore store) {
        this.deadLetters = store;
        return this;
    }

    /** Changes this member recorded as dead letters (heads) since it started. */
    public long deadLettered() {
        return deadLettered;
    }

    /** Changes this member parked behind a dead letter since it started. */
    public long parked() {
        return parkedChanges;
    }

    /** Consumes and applies until {@link #stop}; the batch in hand is finished first. */
    public void run() throws InterruptedException {
        parked = ParkedEntities.of(deadLetters.parkedEntities());
        consumer.subscribe(criticalTopic == null ? List.of(topic) : List.of(criticalTopic, topic), new Rebalance());
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                noteLag();
                if (criticalTopic == null) {
                    applyBatch(byPartition(records, assigned(topic)), assigned(topic));
                } else if (applyBatch(byPartition(records, assigned(criticalTopic)), assigned(criticalTopic))) {
                    // The critical records first, in their own graph transaction; then the change topic's, once nothing
                    // critical that may be older than them is left unread.
                    applyChangesBehindCritical(records);
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

    /** Told once of each partition this member is first given (for a gauge per partition and topic). */
    public void onFirstAssignment(java.util.function.Consumer<TopicPartition> listener) {
        firstSeen = listener;
        partitionsSeen.forEach(listener::accept);
    }

    /** Records not yet consumed, per assigned partition, as of the last poll (partitions Kafka gave no figure for are absent). */
    public Map<TopicPartition, Long> lag() {
        return Map.copyOf(lag);
    }

    private List<TopicPartition> assigned(String ofTopic) {
        return next.keySet().stream().filter(p -> p.topic().equals(ofTopic)).toList();
    }

    private static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition(ConsumerRecords<byte[], byte[]> records,
                                                                                      List<TopicPartition> partitions) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
        for (TopicPartition partition : partitions) {
            List<ConsumerRecord<byte[], byte[]>> part = records.records(partition);
            if (!part.isEmpty()) {
                byPartition.put(partition, part);
            }
        }
        return byPartition;
    }

    /**
     * Writes the change topic's records polled so far once this member has read each critical partition to the committed
     * end read after they were polled; until then they are held and the change topic's partitions paused.
     */
    private void applyChangesBehindCritical(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<TopicPartition> changes = assigned(topic);
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> polled = byPartition(records, changes);
        polled.forEach((partition, part) -> held.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(part));
        boolean pending = !held.isEmpty() || changes.stream().anyMatch(p -> consumer.position(p) > next.get(p));
        if (!pending) {
            return;
        }
        List<TopicPartition> critical = assigned(criticalTopic);
        if (!polled.isEmpty() || criticalTargets.isEmpty()) {
            // Read after these records were polled: every critical record older than them is committed, so below this end.
            criticalTargets = critical.isEmpty() ? Map.of() : consumer.endOffsets(critical);
        }
        boolean behind = criticalTargets.entrySet().stream()
                .anyMatch(end -> next.containsKey(end.getKey()) && consumer.position(end.getKey()) < end.getValue());
        if (behind) {
            consumer.pause(changes);
            return;
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> release = held;
        held = new HashMap<>();
        criticalTargets = Map.of();
        consumer.resume(changes);
        applyBatch(release, changes);
    }

    /**
     * Writes what the given partitions hold of {@code records} (and offsets read past markers) as one graph transaction;
     * false when the graph refused it (every partition is then back at the graph's offsets).
     */
    private boolean applyBatch(Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records, List<TopicPartition> partitions)
            throws InterruptedException {
        List<ConsumedOffsets.PartitionRange> ranges = new ArrayList<>();
        List<BatchIsolation.Entry> entries = new ArrayList<>();
        Map<TopicPartition, Long> after = new HashMap<>();
        boolean withRecords = false;
        for (TopicPartition partition : partitions) {
            List<ConsumerRecord<byte[], byte[]>> part = records.getOrDefault(partition, List.of());
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
            withRecords = true;
            for (ConsumerRecord<byte[], byte[]> record : part) {
                ConsumedChange change = reader.read(record);
                if (change != null && !handedOver.isApplied(change.position())) {
                    entries.add(new BatchIsolation.Entry(change.change(), List.of(change.position()),
                            new ConsumedAt(group, record.topic(), record.partition(), record.offset())));
                }
            }
        }
        if (ranges.isEmpty()) {
            return true;
        }
        // Each partition's records are in stream order already; across partitions, stream order is the best guess there is.
        entries.sort(STREAM_ORDER);
        List<SourceChange> sourceChanges = entries.stream().map(BatchIsolation.Entry::change).toList();
        ConsumedOffsets consumed = new ConsumedOffsets(group, ranges);
        java.time.Instant started = java.time.Instant.now();
        ApplyResult result = null;
        BatchSummary summary = null;
        int steps = 0;
        int notWritten = 0;
        try {
            BatchIsolation.Outcome inParts = null;
            if (touchesParked(entries)) {
                inParts = applyInParts(consumed, entries);
            } else {
                try {
                    GraphWritePlan plan = planner.plan(sourceChanges);
                    result = graph.write(plan, CommitRecord.of(consumed), retries);
                    steps = plan.steps().size();
                    summary = BatchSummary.of(sourceChanges, plan);
                } catch (SyncException refused) {
                    if (!refused.rejectsData()) {
                        throw refused;
                    }
                    log.warn("the graph refused a batch of {} changes consumed from {} ({}); applying it in parts to find the changes it "
                            + "refuses", sourceChanges.size(), consumed.ranges(), refused.getMessage());
                    inParts = applyInParts(consumed, entries);
                }
            }
            if (inParts != null) {
                result = inParts.result();
                steps = inParts.steps();
                summary = BatchSummary.of(sourceChanges, null).withIsolation(inParts.deadLettered(), inParts.parked());
                notWritten = inParts.deadLettered() + inParts.parked();
            }
        } catch (OffsetsMovedException moved) {
            log.info("the graph holds other offsets than this batch started from ({}): another member applied them; seeking to the "
                    + "graph's offsets", moved.getMessage());
            // Held records are read again from there.
            held = new HashMap<>();
            criticalTargets = Map.of();
            consumer.resume(consumer.paused());
            seekToGraph(new ArrayList<>(next.keySet()));
            return false;
        }
        next.putAll(after);
        applied += sourceChanges.size() - notWritten;
        GraphCommit.AfterCommit then = GraphCommit.AfterCommit.of(result, retries);
        graph.afterCommit(!withRecords ? then : then.logged(logRow(entries, steps, summary, ranges, result, started)));
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        after.forEach((partition, offset) -> commit.put(partition, new OffsetAndMetadata(offset)));
        consumer.commitAsync(commit, (done, failure) -> {
            if (failure != null) {
                log.debug("committing offsets to Kafka (for lag tools only) failed: {}", failure.toString());
            }
        });
        return true;
    }

    /**
     * Whether a change of the batch touches an entity parked behind an open dead letter. The open ones are read again from
     * the store first when any may be: a person's retry or skip releases a head there (run learns it from the WAL, which
     * this role does not read), and the changes after it then apply.
     */
    private boolean touchesParked(List<BatchIsolation.Entry> entries) {
        if (parked.isEmpty()) {
            return false;
        }
        if (!anyParked(entries)) {
            return false;
        }
        parked = ParkedEntities.of(deadLetters.parkedEntities());
        return anyParked(entries);
    }

    private boolean anyParked(List<BatchIsolation.Entry> entries) {
        for (BatchIsolation.Entry entry : entries) {
            if (parked.headFor(Footprint.of(planner.mapping(), entry.change().change()), entry.positions().get(0)) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The batch part by part ({@link BatchIsolation}, as {@code run} applies a batch the graph refused): each part with the
     * offsets up to its partitions' first change not handled yet ({@link PartOffsets}), the changes the graph refuses
     * alone recorded as dead letters naming their topic, partition and offset, later changes to their entities parked.
     * The last part (or an empty one) takes every partition to the batch's end.
     */
    private BatchIsolation.Outcome applyInParts(ConsumedOffsets consumed, List<BatchIsolation.Entry> entries) throws InterruptedException {
        PartOffsets offsetsOfParts = new PartOffsets(group, consumed.ranges(), entries);
        BatchIsolation isolation = new BatchIsolation(planner, (plan, handled) -> {
            ConsumedOffsets part = offsetsOfParts.after(handled);
            if (part == null) {
                if (!plan.steps().isEmpty()) {
                    throw new IllegalStateException("a part of " + plan.sourceChanges() + " changes moves no partition's offset: its "
                            + "changes would be written without their records counted");
                }
                return ApplyResult.NOTHING;
            }
            ApplyResult written = graph.write(plan, CommitRecord.of(part), retries);
            offsetsOfParts.committed(part);
            return written;
        }, deadLetters::record, parked);
        BatchIsolation.Outcome outcome = isolation.run(entries);
        if (!offsetsOfParts.complete()) {
            ConsumedOffsets rest = offsetsOfParts.after(entries);
            graph.write(planner.plan(List.of()), CommitRecord.of(rest), retries);
            offsetsOfParts.committed(rest);
        }
        for (BatchIsolation.Park park : outcome.parks()) {
            parked = parked.park(park.entities(), park.headId(), park.from());
        }
        deadLettered += outcome.deadLettered();
        parkedChanges += outcome.parked();
        return outcome;
    }

    /** The transaction log's row of a batch: its first and last change's transaction, and the offsets it consumed. */
    private static BatchRecord logRow(List<BatchIsolation.Entry> changes, int steps, BatchSummary summary,
                                      List<ConsumedOffsets.PartitionRange> ranges, ApplyResult result, java.time.Instant started) {
        Map<String, List<Long>> consumed = new java.util.TreeMap<>();
        for (ConsumedOffsets.PartitionRange range : ranges) {
            consumed.put(range.topic() + "/" + range.partition(), List.of(range.from(), range.next()));
        }
        Lsn from = changes.isEmpty() ? Lsn.INVALID : changes.get(0).positions().get(0).tx();
        Lsn to = changes.isEmpty() ? Lsn.INVALID : changes.get(changes.size() - 1).positions().get(0).tx();
        return new BatchRecord(from, to, changes.size(), steps, result.nodeRows(), result.relationshipRows(),
                result.crossReferences().size(), java.time.Duration.between(started, java.time.Instant.now()),
                summary.withConsumed(consumed));
    }

    private void noteLag() {
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong current = consumer.currentLag(partition);
            if (current.isPresent()) {
                lag.put(partition, current.getAsLong());
            }
            if (partitionsSeen.add(partition)) {
                firstSeen.accept(partition);
            }
        }
    }

    /** Seeks each partition to the offset the graph holds for it, or to the topic's beginning when it holds none. */
    private void seekToGraph(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<String, Map<Integer, Long>> stored = new HashMap<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long offset = stored.computeIfAbsent(partition.topic(), t -> offsets.loadOffsets(group, t)).get(partition.partition());
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
        log.info("partitions {} resume at the graph's offsets {}", partitions.stream().map(TopicPartition::toString).sorted().toList(),
                partitions.stream().sorted(Comparator.comparing(TopicPartition::toString)).map(next::get).toList());
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
            partitions.forEach(lag::remove);
            partitions.forEach(held::remove);
            criticalTargets = Map.of();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
