package io.nexussync.core.verify;

import static io.nexussync.core.verify.VerifyFakes.CONTENT;
import static io.nexussync.core.verify.VerifyFakes.CONTENT_TAGS;
import static io.nexussync.core.verify.VerifyFakes.THREAD_CONTENT;
import static io.nexussync.core.verify.VerifyFakes.uuid;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.apply.ApplyResult;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.backfill.BackfillReader;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class RepairExecutorTest {
    private final Mapping mapping = MappingLoader.builtIn();
    private final VerifyFakes.Source source = new VerifyFakes.Source(mapping);
    private final VerifyFakes.Graph graph = new VerifyFakes.Graph();
    private final VerifyFakes.Log log = new VerifyFakes.Log();
    private final WatermarkWindows windows = new WatermarkWindows(mapping);
    private final List<RowChange> letIn = new ArrayList<>();
    private final List<String> graphRepairs = new ArrayList<>();
    private final List<GraphStep> graphRepairSteps = new ArrayList<>();
    /** What the stream does between the two watermarks (a change the application commits meanwhile). */
    private Runnable betweenWatermarks = () -> { };

    /** The stream's side of the watermarks, done at once: the pipeline reading them in commit order and committing the chunk. */
    private final BackfillReader stream = new BackfillReader() {
        @Override
        public void emitWatermark(String prefix, String content) {
            if (prefix.equals(WatermarkWindows.LOW)) {
                windows.lowWatermark(content);
                betweenWatermarks.run();
            } else {
                List<RowChange> changes = windows.highWatermark(content);
                letIn.addAll(changes);
                windows.applied(content, changes.size());
            }
        }

        @Override
        public Chunk readChunk(TableId table, String where, List<String> afterKey, int limit) {
            throw new AssertionError("a repair reads rows by key");
        }
    };

    private final GraphWriter writer = new GraphWriter() {
        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            throw new AssertionError("repairs through the stream are written by the stream");
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
            throw new AssertionError("no snapshot here");
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            graphRepairs.add(repairId);
            graphRepairSteps.addAll(plan.steps());
            graph.committedRepairs.add(repairId);
            return ApplyResult.NOTHING;
        }

        @Override
        public io.nexussync.core.apply.CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint,
                                                                     io.nexussync.core.critical.CriticalDecision decision) {
            throw new AssertionError("a repair writes no critical transaction");
        }

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, io.nexussync.core.apply.ConsumedOffsets offsets) {
            throw new AssertionError("a repair writes no Kafka offsets");
        }
    };

    private final RepairExecutor executor = new RepairExecutor(mapping, log, source, graph, stream, windows,
            new GraphCommit(writer, new RetryPolicy(Duration.ZERO, Duration.ZERO, 3, d -> { }, new java.util.Random(1)), new AfterCommitStage(Executors.newSingleThreadExecutor()),
                    refs -> { }, SyncLog.NONE, GraphCommit.Acknowledger.NONE), RepairExecutor.Settings.DEFAULTS);

    @Test
    void theRowBetweenTheWatermarksDecidesARefreshOrADelete() throws InterruptedException {
        source.put(CONTENT, VerifyFakes.contentRow(1));
        long missing = queued(FindingKind.NODE_MISSING, CONTENT, uuid(1));
        long stray = queued(FindingKind.NODE_STRAY, CONTENT, uuid(2));

        assertThat(executor.runOnce()).isEqualTo(2);

        assertThat(letIn).extracting(c -> c.getClass().getSimpleName() + " " + mapping.node(CONTENT).orElseThrow().identity(
                c instanceof RowChange.Insert i ? i.newValues() : ((RowChange.Delete) c).oldKey()))
                .containsExactly("Insert " + uuid(1), "Delete " + uuid(2));
        assertThat(log.rows.get(missing).status()).isEqualTo(FindingStatus.REPAIRED);
        assertThat(log.rows.get(missing).action()).isEqualTo(RepairAction.REFRESH_FROM_ROW);
        assertThat(log.rows.get(missing).rule()).isEqualTo(RepairRules.POSTGRES_OWNS_CORE_DATA);
        assertThat(log.rows.get(stray).action()).isEqualTo(RepairAction.DELETE_FROM_GRAPH);
        assertThat(log.rows.get(stray).rule()).isEqualTo(RepairRules.POSTGRES_OWNS_EXISTENCE);
        assertThat(log.rows.get(stray).repairId()).isNotNull();
        assertThat(log.evidence.get(missing)).contains("PostgreSQL is the complete side", "rule postgres-owns-core-data");
        assertThat(log.evidence.get(stray)).contains("no row in PostgreSQL", "the graph holds an entity PostgreSQL does not have");
        assertThat(executor.runOnce()).as("nothing is left to do").isZero();
    }

    @Test
    void aRelationshipWithoutHistoryIsDeletedThenWrittenOnceSoADuplicateGoes() throws InterruptedException {
        source.put(CONTENT_TAGS, VerifyFakes.taggedRow(1, 7_001));
        queued(FindingKind.RELATIONSHIP_DUPLICATED, CONTENT_TAGS, EntityKeys.pair(uuid(1), uuid(7_001)));

        executor.runOnce();

        assertThat(letIn).extracting(c -> c.getClass().getSimpleName()).containsExactly("Delete", "Insert");
    }

    @Test
    void aTemporalRelationshipIsRefreshedInPlaceNeverDeletedFirst() throws InterruptedException {
        source.put(THREAD_CONTENT, VerifyFakes.includesRow(5_001, 1, 0.5));
        queued(FindingKind.RELATIONSHIP_PROPERTY_DIFFERS, THREAD_CONTENT, EntityKeys.pair(uuid(5_001), uuid(1)));

        executor.runOnce();

        assertThat(letIn).extracting(c -> c.getClass().getSimpleName()).containsExactly("Insert");
    }

    @Test
    void anEntityAStreamedChangeTouchedBetweenTheWatermarksIsLeftToThatNewerChange() throws InterruptedException {
        source.put(CONTENT, VerifyFakes.contentRow(3));
        long id = queued(FindingKind.PROPERTY_DIFFERS, CONTENT, uuid(3));
        Map<String, Object> newer = VerifyFakes.contentRow(3);
        betweenWatermarks = () -> windows.observe(new RowChange.Update(CONTENT, null, newer));

        executor.runOnce();

        assertThat(letIn).isEmpty();
        assertThat(log.rows.get(id).status()).isEqualTo(FindingStatus.REPAIRED);
    }

    @Test
    void theEvidenceSaysWhichSideChangedLast() throws InterruptedException {
        java.time.Instant synced = java.time.Instant.parse("2026-03-01T10:00:00Z");
        source.put(CONTENT, VerifyFakes.contentRow(5));
        graph.mirror(mapping.node(CONTENT).orElseThrow(), VerifyFakes.contentRow(5)).properties()
                .put("lastSyncedAt", synced.atZone(java.time.ZoneOffset.UTC));
        source.committed.put(uuid(5), synced.plusSeconds(60));
        long id = queued(FindingKind.PROPERTY_DIFFERS, CONTENT, uuid(5));

        executor.runOnce();

        assertThat(log.evidence.get(id)).contains("row last committed 2026-03-01T10:01:00Z", "graph last written by the service 2026-03-01T10:00:00Z",
                "the graph missed that change");
    }

    @Test
    void aFindingAPersonSettledBeforeItsRepairBeganIsLeftAlone() throws InterruptedException {
        source.put(CONTENT, VerifyFakes.contentRow(6));
        long id = queued(FindingKind.PROPERTY_DIFFERS, CONTENT, uuid(6));
        log.refuseRepairing.add(id);

        executor.runOnce();

        assertThat(letIn).isEmpty();
        assertThat(log.rows.get(id).status()).isEqualTo(FindingStatus.REPAIR_REQUESTED);
    }

    @Test
    void aNodeWithoutIdentityIsDeletedByElementIdWithTheRepairRecordedInTheGraph() throws InterruptedException {
        long id = queued(FindingKind.NODE_UNIDENTIFIED, CONTENT, "4:x:9");

        executor.runOnce();

        assertThat(graphRepairSteps).singleElement().isInstanceOfSatisfying(GraphStep.DeleteUnidentifiedNodes.class,
                step -> assertThat(step.elementIds()).containsExactly("4:x:9"));
        assertThat(graphRepairs).containsExactly(log.rows.get(id).repairId());
        assertThat(log.rows.get(id).status()).isEqualTo(FindingStatus.REPAIRED);
    }

    @Test
    void aGraphRepairThatCommittedBeforeACrashIsMarkedDoneNotWrittenAgain() throws InterruptedException {
        long id = queued(FindingKind.NODE_UNIDENTIFIED, CONTENT, "4:x:9");
        log.repairing(id, RepairAction.DELETE_UNIDENTIFIED, RepairRules.POSTGRES_OWNS_EXISTENCE, "repair-before-the-crash");
        graph.committedRepairs.add("repair-before-the-crash");

        executor.runOnce();

        assertThat(graphRepairs).isEmpty();
        assertThat(log.rows.get(id).status()).isEqualTo(FindingStatus.REPAIRED);
    }

    @Test
    void aRepairInterruptedBeforeTheStreamTookItIsCarriedOutAgain() throws InterruptedException {
        source.put(CONTENT, VerifyFakes.contentRow(4));
        long id = queued(FindingKind.NODE_MISSING, CONTENT, uuid(4));
        log.repairing(id, RepairAction.REFRESH_FROM_ROW, RepairRules.POSTGRES_OWNS_CORE_DATA, "repair-cut-short");

        executor.runOnce();

        assertThat(letIn).hasSize(1);
        assertThat(log.rows.get(id).status()).isEqualTo(FindingStatus.REPAIRED);
    }

    @Test
    void aHistoryAPersonGaveToPostgresIsReplacedByTheRowOnce() throws InterruptedException {
        source.put(THREAD_CONTENT, VerifyFakes.includesRow(5_001, 2, 0.5));
        String pair = EntityKeys.pair(uuid(5_001), uuid(2));
        long id = log.found(finding(FindingKind.HISTORY_SEVERAL_OPEN, THREAD_CONTENT, pair), "verify");
        log.waiting(id, RepairRules.HISTORY_HAS_NO_SECOND_SOURCE, "a person decides");
        log.resolve(id, true, "the row is right", "ana");

        executor.runOnce();

        assertThat(graphRepairSteps).singleElement().isInstanceOf(GraphStep.DeleteRelationships.class);
        assertThat(letIn).extracting(c -> c.getClass().getSimpleName()).containsExactly("Insert");
        assertThat(log.rows.get(id).action()).isEqualTo(RepairAction.REWRITE_HISTORY);
        assertThat(log.rows.get(id).rule()).isEqualTo(RepairRules.PERSON);
        assertThat(log.rows.get(id).status()).isEqualTo(FindingStatus.REPAIRED);
    }

    @Test
    void aHistoryNobodyDecidedIsNeverTouched() throws InterruptedException {
        long id = log.found(finding(FindingKind.HISTORY_OVERLAP, THREAD_CONTENT, EntityKeys.pair(uuid(5_001), uuid(3))), "verify");
        log.requestRepair(List.of(id), "verify");

        executor.runOnce();

        assertThat(letIn).isEmpty();
        assertThat(graphRepairs).isEmpty();
    }

    private long queued(FindingKind kind, TableId table, String key) {
        long id = log.found(finding(kind, table, key), "verify");
        log.requestRepair(List.of(id), "verify");
        return id;
    }

    private Finding finding(FindingKind kind, TableId table, String key) {
        String graphName = Subject.of(mapping, table).get(0).graphName();
        return new Finding(kind, table.toString(), graphName, key, null, List.of());
    }
}
