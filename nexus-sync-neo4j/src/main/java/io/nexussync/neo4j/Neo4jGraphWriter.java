package io.nexussync.neo4j;

import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.apply.CheckpointStore;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.apply.ConsumerOffsetStore;
import io.nexussync.core.apply.CriticalApplied;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.model.AppliedRanges;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.DeleteUnidentifiedNodes;
import io.nexussync.core.plan.GraphStep.DeleteRelationships;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.TemporalRound;
import io.nexussync.core.plan.GraphStep.TemporalRow;
import io.nexussync.core.plan.GraphStep.TombstoneNodes;
import io.nexussync.core.plan.GraphStep.TruncateNodes;
import io.nexussync.core.plan.GraphStep.TruncateRelationships;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import io.nexussync.core.plan.GraphWritePlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Transaction;

/**
 * Writes a batch and its checkpoint in one Neo4j transaction. The checkpoint is a
 * {@code (:_SyncCheckpoint {slot})} node, so it commits or rolls back with the data it covers. The same
 * nodes are the {@link CheckpointStore}: one class, because both sides must agree on how a record is stored.
 * Likewise a Kafka consumer group's offsets ({@link KafkaOffsetRecords}) and the {@link ConsumerOffsetStore}.
 */
public final class Neo4jGraphWriter implements GraphWriter, CheckpointStore, ConsumerOffsetStore {
    /** Worker 0's record is the {slot} node (which also holds the snapshot mark); worker N's is {slot: "slot/worker-N"}. */
    /** Its values inside one map parameter: {@code applied} is a string of any length, and a string's length is part of its type. */
    private static final String SAVE_CHECKPOINT = "MERGE (c:`_SyncCheckpoint` {slot: $checkpoint.record}) "
            + "SET c.committedEnd = $checkpoint.committedEnd, c.committedEndText = $checkpoint.committedEndText, c.applied = $checkpoint.applied, "
            + "c.partialTx = 0, c.partialChanges = 0, c.updatedAt = datetime()";
    private static final String LOAD_CHECKPOINT = "MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $workers "
            + "RETURN c.committedEnd AS end, c.partialTx AS ptx, c.partialChanges AS pc, c.applied AS applied";
    private static final String DELETE_WORKER_RECORDS = "MATCH (c:`_SyncCheckpoint`) WHERE c.slot STARTS WITH $workers DELETE c";
    /** A snapshot mark; a DONE mark also sets the stream checkpoint, so the two change together. */
    private static final String SAVE_SNAPSHOT_MARK = "MERGE (c:`_SyncCheckpoint` {slot: $slot}) "
            + "SET c.snapshotState = $state, c.snapshotConsistentPoint = $consistentPoint, c.snapshotRows = $rows, c.updatedAt = datetime() "
            + "FOREACH (_ IN CASE WHEN $state = 'DONE' THEN [1] ELSE [] END | "
            + "SET c.committedEnd = $consistentPoint, c.committedEndText = $consistentPointText, c.partialTx = 0, c.partialChanges = 0, c.applied = '')";
    private static final String LOAD_SNAPSHOT_MARK = "MATCH (c:`_SyncCheckpoint` {slot: $slot}) "
            + "RETURN c.snapshotState AS state, c.snapshotConsistentPoint AS point, c.snapshotRows AS rows, c.committedEnd AS end";
    private static final String RESET_CHECKPOINT = "MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $workers DELETE c";

    private final Driver driver;
    private final SessionConfig session;
    private final String slot;
    private final boolean deletionMarkers;

    public Neo4jGraphWriter(Driver driver, String database, String slot) {
        this(driver, database, slot, false);
    }

    private Neo4jGraphWriter(Driver driver, String database, String slot, boolean deletionMarkers) {
        this.driver = driver;
        this.session = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
        this.slot = slot;
        this.deletionMarkers = deletionMarkers;
    }

    /**
     * A writer for changes that reach it in order per entity but not across entities (apply from Kafka): each node delete
     * leaves a {@code (:_SyncDeleted {label, id, at})} marker, and a streamed change that committed before it does not create
     * that node again (as a relationship's end, a parent, or its own old key's node): the row is dropped. The markers stay
     * until {@link #removeDeletionMarkersBefore} removes them.
     * <p>
     * Not covered: a tombstoning label's delete leaves no marker, its tombstone (with {@code deletedAt}) stays in its place,
     * and an older change arriving after it finds the tombstone as today (an upsert brings it back, a relationship attaches
     * to it); a TRUNCATE leaves no marker per row.
     */
    public static Neo4jGraphWriter withDeletionMarkers(Driver driver, String database, String slot) {
        return new Neo4jGraphWriter(driver, database, slot, true);
    }

    private static final String REMOVE_DELETION_MARKERS = "MATCH (d:" + StatementRenderer.DELETED + ") WHERE d.`writtenAt` < $cut "
            + "WITH d LIMIT $limit DELETE d RETURN count(*) AS removed";

    /**
     * Removes up to {@code limit} deletion markers written before {@code cut}, in one transaction; call again while it
     * returns {@code limit}. A marker must outlive every change older than its delete that can still arrive, or that change
     * could bring its node back as a placeholder: those were published before the delete, so the change topic's retention
     * counted from when the marker was written (not from the delete's commit time, which a lagging capture publishes late)
     * bounds them.
     *
     * @return the number removed
     */
    public int removeDeletionMarkersBefore(Instant cut, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("the number of deletion markers to remove at once must be positive, got " + limit);
        }
        try (Session s = driver.session(session)) {
            return s.executeWrite(tx -> tx.run(REMOVE_DELETION_MARKERS, Map.of("cut", StepParameters.time(cut), "limit", limit))
                    .single().get("removed").asInt(), Neo4jTransactions.config(Neo4jTransactions.DELETION_MARKER_RETENTION));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("removing deletion markers", e);
        }
    }

    @Override
    public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
        return write(Neo4jTransactions.APPLY, plan, List.of(SAVE_CHECKPOINT), checkpointParameters(checkpoint));
    }

    @Override
    public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
        // A finished snapshot starts the stream afresh: worker records of an earlier stream must not outlive it.
        List<String> bookkeeping = mark.state() == SnapshotMark.State.DONE ? List.of(SAVE_SNAPSHOT_MARK, DELETE_WORKER_RECORDS) : List.of(SAVE_SNAPSHOT_MARK);
        return write(Neo4jTransactions.SNAPSHOT, plan, bookkeeping, Map.of("slot", slot, "workers", workerPrefix(), "state", mark.state().name(),
                "consistentPoint", mark.consistentPoint().value(), "consistentPointText", mark.consistentPoint().toString(),
                "rows", mark.rowsDone()));
    }

    /** A repair's record: that it committed, and when (verify reads it to finish a repair a crash interrupted). */
    private static final String SAVE_REPAIR = "MERGE (r:`_SyncRepair` {id: $repairId}) SET r.committedAt = datetime()";

    @Override
    public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
        return write(Neo4jTransactions.REPAIR, plan, List.of(SAVE_REPAIR), Map.of("repairId", repairId));
    }

    /**
     * The partitions' records are locked and checked before anything of the plan runs, and moved after it, all in the
     * batch's transaction: a batch refused leaves nothing behind, and one that commits carries its offsets with it.
     */
    @Override
    public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
        Map<String, Object> parameters = KafkaOffsetRecords.parameters(offsets);
        return write(Neo4jTransactions.APPLY, plan, tx -> KafkaOffsetRecords.claim(tx, offsets.group(), parameters),
                List.of(KafkaOffsetRecords.ADVANCE), parameters);
    }

    /**
     * The decision first: when one is recorded already (a recovery's rollback, or this write's own from before a crash)
     * it stands and nothing of the plan is written; the checkpoint goes in either way, so the stream moves past it.
     */
    @Override
    public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
        try (Session s = driver.session(session); Transaction tx = s.beginTransaction(Neo4jTransactions.config(Neo4jTransactions.CRITICAL))) {
            Record decided = tx.run(DecisionRecords.DECIDE, DecisionRecords.decide(slot, decision)).single();
            CriticalDecision standing = DecisionRecords.of(decided);
            boolean writePlan = decided.get("mine").asBoolean() && standing.commits();
            StepWriter steps = new StepWriter(tx, plan.refresh());
            if (writePlan) {
                for (GraphStep step : plan.steps()) {
                    step.accept(steps);
                }
            }
            tx.run(SAVE_CHECKPOINT, checkpointParameters(checkpoint)).consume();
            tx.commit();
            return new CriticalApplied(new ApplyResult(steps.crossReferences, steps.nodeRows, steps.relationshipRows), standing, writePlan);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("critical write " + decision.gid() + " (" + plan.sourceChanges() + " changes)", e);
        }
    }

    /**
     * Plans every statement a streamed batch can run, before the first batch: each runs once with no rows, and with a
     * checkpoint record of its own, in a transaction that is rolled back, so nothing is written. Planning a statement
     * costs Neo4j tens of milliseconds (a second or more while its JVM is cold), which the first batches would otherwise
     * wait for. A Neo4j server that already planned them (the service restarted, Neo4j did not) answers from its cache.
     *
     * @return the number of statements run
     */
    public int warmUp(Mapping mapping) {
        List<String> statements = streamedStatements(mapping, deletionMarkers);
        try (Session s = driver.session(session); Transaction tx = s.beginTransaction(Neo4jTransactions.config(Neo4jTransactions.APPLY))) {
            Map<String, Object> noRows = StepParameters.batch(List.of());
            for (String statement : statements) {
                tx.run(statement, noRows).consume();
            }
            tx.run(SAVE_CHECKPOINT, checkpointParameters(new Checkpoint(Lsn.of(0), AppliedRanges.EMPTY, WARM_UP_WORKER))).consume();
            tx.rollback();
            return statements.size() + 1;
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("planning the statements", e);
        }
    }

    /** A worker number no apply worker has: the warm-up's checkpoint record is never one a worker reads or writes. */
    private static final int WARM_UP_WORKER = Integer.MAX_VALUE;

    /** The statements of a streamed (not refresh) plan, for every step the mapping can give rise to. */
    static List<String> streamedStatements(Mapping mapping) {
        return streamedStatements(mapping, false);
    }

    static List<String> streamedStatements(Mapping mapping, boolean deletionMarkers) {
        List<String> statements = new ArrayList<>();
        for (NodeMapping node : mapping.nodes()) {
            statements.add(node.tombstones()
                    ? StatementRenderer.tombstoneNodes(new TombstoneNodes(node, mapping.historyTypes(node.label()), List.of()))
                    : StatementRenderer.deleteNodes(new DeleteNodes(node, List.of()), deletionMarkers));
            statements.add(StatementRenderer.upsertNodes(new UpsertNodes(node, List.of()), false, deletionMarkers));
            for (ParentLink link : node.parentLinks()) {
                statements.add(StatementRenderer.linkParents(new LinkParents(node, link, List.of()), false, deletionMarkers));
            }
        }
        for (RelationshipMapping relationship : mapping.relationships()) {
            statements.add(StatementRenderer.deleteRelationships(new DeleteRelationships(relationship, List.of())));
            if (relationship.temporal()) {
                TemporalRound round = new TemporalRound(relationship, List.of());
                statements.add(StatementRenderer.closeTemporal(round));
                statements.add(StatementRenderer.openTemporal(round, deletionMarkers));
            } else {
                statements.add(StatementRenderer.upsertRelationships(new UpsertRelationships(relationship, List.of()), false, deletionMarkers));
            }
        }
        return statements;
    }

    /** What must hold before a plan is written, checked in its transaction: throws to roll the transaction back. */
    @FunctionalInterface
    private interface Precondition {
        Precondition NONE = tx -> { };

        void check(Transaction tx);
    }

    private ApplyResult write(String purpose, GraphWritePlan plan, List<String> bookkeeping, Map<String, Object> bookkeepingParameters) {
        return write(purpose, plan, Precondition.NONE, bookkeeping, bookkeepingParameters);
    }

    private ApplyResult write(String purpose, GraphWritePlan plan, Precondition precondition, List<String> bookkeeping,
                              Map<String, Object> bookkeepingParameters) {
        try (Session s = driver.session(session); Transaction tx = s.beginTransaction(Neo4jTransactions.config(purpose))) {
            precondition.check(tx);
            StepWriter steps = new StepWriter(tx, plan.refresh());
            for (GraphStep step : plan.steps()) {
                step.accept(steps);
            }
            for (String statement : bookkeeping) {
                tx.run(statement, bookkeepingParameters).consume();
            }
            tx.commit();
            return new ApplyResult(steps.crossReferences, steps.nodeRows, steps.relationshipRows);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("a batch of " + plan.sourceChanges() + " changes", e);
        }
    }

    /**
     * Runs each step's statement in the batch's transaction, counting rows and collecting the elementIds to write back.
     * With deletion markers, a streamed plan's creating statements consult them; a refresh re-reads PostgreSQL's truth
     * and is never held back by one.
     */
    private final class StepWriter implements GraphStep.Visitor {
        private final Transaction tx;
        private final boolean refresh;
        final List<CrossReference> crossReferences = new ArrayList<>();
        long nodeRows;
        long relationshipRows;

        StepWriter(Transaction tx, boolean refresh) {
            this.tx = tx;
            this.refresh = refresh;
        }

        @Override
        public void upsertNodes(UpsertNodes upsert) {
            nodeRows += upsert.rows().size();
            for (Record r : tx.run(StatementRenderer.upsertNodes(upsert, refresh, guardDeleted()), rows(StepParameters.nodeRows(upsert))).list()) {
                crossReferences.add(new CrossReference(upsert.mapping(), r.get("id").asString(), r.get("elementId").asString()));
            }
        }

        @Override
        public void deleteNodes(DeleteNodes delete) {
            nodeRows += delete.ids().size();
            tx.run(StatementRenderer.deleteNodes(delete, deletionMarkers), rows(deletionMarkers ? StepParameters.deletionRows(delete) : delete.ids())).consume();
        }

        @Override
        public void linkParents(LinkParents link) {
            relationshipRows += link.rows().size();
            tx.run(StatementRenderer.linkParents(link, refresh, guardDeleted()), rows(StepParameters.parentRows(link))).consume();
        }

        @Override
        public void deleteRelationships(DeleteRelationships delete) {
            relationshipRows += delete.keys().size();
            tx.run(StatementRenderer.deleteRelationships(delete), rows(StepParameters.relationshipKeys(delete))).consume();
        }

        @Override
        public void upsertRelationships(UpsertRelationships upsert) {
            relationshipRows += upsert.rows().size();
            tx.run(StatementRenderer.upsertRelationships(upsert, refresh, guardDeleted()), rows(StepParameters.relationshipRows(upsert))).consume();
        }

        @Override
        public void temporalRound(TemporalRound round) {
            relationshipRows += round.rows().size();
            runTemporal(tx, round, refresh, guardDeleted());
        }

        private boolean guardDeleted() {
            return deletionMarkers && !refresh;
        }

        @Override
        public void truncateNodes(TruncateNodes truncate) {
            tx.run(StatementRenderer.truncateNodes(truncate), Map.of("at", StepParameters.time(truncate.at()))).consume();
        }

        @Override
        public void tombstoneNodes(TombstoneNodes tombstones) {
            nodeRows += tombstones.rows().size();
            tx.run(StatementRenderer.tombstoneNodes(tombstones), rows(StepParameters.tombstoneRows(tombstones))).consume();
        }

        @Override
        public void deleteUnidentifiedNodes(DeleteUnidentifiedNodes delete) {
            nodeRows += delete.elementIds().size();
            tx.run(StatementRenderer.deleteUnidentifiedNodes(delete), rows(delete.elementIds())).consume();
        }

        @Override
        public void truncateRelationships(TruncateRelationships truncate) {
            tx.run(StatementRenderer.truncateRelationships(truncate), Map.of("at", StepParameters.time(truncate.at()))).consume();
        }
    }

    private static void runTemporal(Transaction tx, TemporalRound round, boolean refresh, boolean guardDeleted) {
        List<TemporalRow> opens = round.rows().stream().filter(r -> !r.closesOnly()).toList();
        List<TemporalRow> closes = round.rows().stream().filter(TemporalRow::closesOnly).toList();
        if (refresh && !opens.isEmpty()) {
            tx.run(StatementRenderer.refreshTemporal(round), rows(StepParameters.temporalRows(opens))).consume();
        }
        if (!closes.isEmpty()) {
            tx.run(StatementRenderer.closeTemporal(round), rows(StepParameters.temporalRows(closes))).consume();
        }
        if (!opens.isEmpty()) {
            tx.run(StatementRenderer.openTemporal(round, guardDeleted), rows(StepParameters.temporalRows(opens))).consume();
        }
    }

    @Override
    public Checkpoint loadCheckpoint() {
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> {
                Checkpoint merged = Checkpoint.NONE;
                for (Record r : tx.run(LOAD_CHECKPOINT, Map.of("slot", slot, "workers", workerPrefix())).list()) {
                    Lsn end = Lsn.of(r.get("end").asLong(0));
                    // A record from before lanes holds a prefix of one transaction instead of ranges.
                    AppliedRanges applied = r.get("applied").isNull()
                            ? AppliedRanges.prefixOf(Lsn.of(r.get("ptx").asLong(0)), r.get("pc").asLong(0))
                            : AppliedRanges.parse(r.get("applied").asString());
                    merged = merged.merge(new Checkpoint(end, applied, 0));
                }
                return merged;
            }, Neo4jTransactions.config(Neo4jTransactions.CHECKPOINT));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("reading the checkpoint", e);
        }
    }

    @Override
    public SnapshotMark loadSnapshotMark() {
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> {
                var result = tx.run(LOAD_SNAPSHOT_MARK, Map.of("slot", slot));
                if (!result.hasNext()) {
                    return SnapshotMark.NONE;
                }
                Record r = result.next();
                if (r.get("state").isNull()) {
                    // A checkpoint from before snapshots existed: streaming had begun, so count it as done.
                    return r.get("end").asLong(0) == 0 ? SnapshotMark.NONE : SnapshotMark.done(Lsn.of(r.get("end").asLong()), 0);
                }
                return new SnapshotMark(SnapshotMark.State.valueOf(r.get("state").asString()),
                        Lsn.of(r.get("point").asLong(0)), r.get("rows").asLong(0));
            }, Neo4jTransactions.config(Neo4jTransactions.CHECKPOINT));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("reading the snapshot mark", e);
        }
    }

    @Override
    public void resetCheckpoint() {
        try (Session s = driver.session(session)) {
            s.executeWrite(tx -> tx.run(RESET_CHECKPOINT, Map.of("slot", slot, "workers", workerPrefix())).consume(),
                    Neo4jTransactions.config(Neo4jTransactions.CHECKPOINT));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("resetting the checkpoint", e);
        }
    }

    @Override
    public Map<Integer, Long> loadOffsets(String group, String topic) {
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> {
                Map<Integer, Long> offsets = new HashMap<>();
                for (Record r : tx.run(KafkaOffsetRecords.LOAD, Map.of("group", group, "topic", topic)).list()) {
                    offsets.put(r.get("partition").asInt(), r.get("next").asLong());
                }
                return Map.copyOf(offsets);
            }, Neo4jTransactions.config(Neo4jTransactions.CHECKPOINT));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("reading the offsets of consumer group '" + group + "' on topic '" + topic + "'", e);
        }
    }

    @Override
    public void resetOffsets(String group) {
        try (Session s = driver.session(session)) {
            s.executeWrite(tx -> tx.run(KafkaOffsetRecords.RESET, Map.of("group", group)).consume(),
                    Neo4jTransactions.config(Neo4jTransactions.CHECKPOINT));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("resetting the offsets of consumer group '" + group + "'", e);
        }
    }

    private Map<String, Object> checkpointParameters(Checkpoint c) {
        return Map.of("checkpoint", Map.of("record", c.worker() == 0 ? slot : workerPrefix() + c.worker(), "committedEnd", c.committedEnd().value(),
                "committedEndText", c.committedEnd().toString(), "applied", c.applied().encode()));
    }

    private String workerPrefix() {
        return slot + "/worker-";
    }

    private static Map<String, Object> rows(List<?> rows) {
        return StepParameters.batch(rows);
    }
}
