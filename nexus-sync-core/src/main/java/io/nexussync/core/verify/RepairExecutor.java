package io.nexussync.core.verify;

import io.nexussync.core.apply.CommitRecord;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.backfill.BackfillReader;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.CrashPoints;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the repairs the log asks for (the seed's fourth step), in the service, beside the stream.
 *
 * <p>What a row decides (a node or relationship missing, a property, a reference, a link, an entity with no row) is
 * repaired through the stream, as a backfill chunk is: a low watermark, the rows read again by key, a high watermark;
 * the pipeline lets in, at the high watermark's position, each row as a refresh and each key without a row as a
 * delete, except those a streamed change touched between the watermarks (that change is newer and already applied).
 * So a repair lands in stream order, through the stream's graph transaction and checkpoint, behind the same version
 * guards, and can never write an older state over a newer streamed change.
 *
 * <p>What no row decides (a node without identity; a history a person chose to replace) is written through
 * {@link GraphCommit} with a {@link CommitRecord.Repair} record, by which a crash is told from a commit.
 *
 * <p>Each finding is marked {@code repairing} before its write and {@code repaired} after, so a crash in between
 * leaves it in the queue and the next run finishes it. Doing a repair again is harmless: a refresh at the version the
 * graph holds writes the same values, a delete of what is gone deletes nothing, a history already replaced is not
 * replaced again.
 */
public final class RepairExecutor {
    private static final Logger log = LoggerFactory.getLogger(RepairExecutor.class);

    /**
     * @param chunkKeys    entities per repair chunk (one pair of watermarks)
     * @param chunkTimeout how long to wait for the stream to let a chunk in before reading it again
     */
    public record Settings(int chunkKeys, Duration chunkTimeout, int queueLimit) {
        public static final Settings DEFAULTS = new Settings(500, Duration.ofSeconds(60), 2_000);
    }

    private final Mapping mapping;
    private final ReconciliationLog reconciliations;
    private final VerifySource source;
    private final VerifyGraph graph;
    private final BackfillReader watermarks;
    private final WatermarkWindows windows;
    private final GraphCommit commit;
    private final Settings settings;

    public RepairExecutor(Mapping mapping, ReconciliationLog reconciliations, VerifySource source, VerifyGraph graph, BackfillReader watermarks,
                          WatermarkWindows windows, GraphCommit commit, Settings settings) {
        this.mapping = mapping;
        this.reconciliations = reconciliations;
        this.source = source;
        this.graph = graph;
        this.watermarks = watermarks;
        this.windows = windows;
        this.commit = commit;
        this.settings = settings;
    }

    /** @return the findings settled (repaired) by this call */
    public int runOnce() throws InterruptedException {
        List<LoggedFinding> queue = reconciliations.repairQueue(settings.queueLimit());
        if (queue.isEmpty()) {
            return 0;
        }
        Map<TableId, Map<String, List<LoggedFinding>>> throughStream = new LinkedHashMap<>();
        Map<TableId, List<LoggedFinding>> unidentified = new LinkedHashMap<>();
        Map<TableId, Map<String, List<LoggedFinding>>> rewrites = new LinkedHashMap<>();
        for (LoggedFinding item : queue) {
            TableId table = TableId.parse(item.finding().table());
            switch (actionOf(item)) {
                case DELETE_UNIDENTIFIED:
                    unidentified.computeIfAbsent(table, t -> new ArrayList<>()).add(item);
                    break;
                case REWRITE_HISTORY:
                    rewrites.computeIfAbsent(table, t -> new LinkedHashMap<>()).computeIfAbsent(item.finding().key(), k -> new ArrayList<>()).add(item);
                    break;
                case REFRESH_FROM_ROW:
                case DELETE_FROM_GRAPH:
                    throughStream.computeIfAbsent(table, t -> new LinkedHashMap<>()).computeIfAbsent(item.finding().key(), k -> new ArrayList<>()).add(item);
                    break;
                case NONE:
                    break;
                default:
                    throw new IllegalStateException("a repair action without a way to carry it out: " + actionOf(item));
            }
        }
        int settled = 0;
        for (var entry : unidentified.entrySet()) {
            settled += deleteUnidentified(entry.getKey(), entry.getValue());
        }
        for (var entry : rewrites.entrySet()) {
            settled += rewriteHistories(entry.getKey(), entry.getValue());
        }
        for (var entry : throughStream.entrySet()) {
            List<String> keys = new ArrayList<>(entry.getValue().keySet());
            for (int from = 0; from < keys.size(); from += settings.chunkKeys()) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + settings.chunkKeys()));
                Map<String, List<LoggedFinding>> findings = new LinkedHashMap<>();
                chunk.forEach(k -> findings.put(k, entry.getValue().get(k)));
                settled += throughStream(entry.getKey(), findings, null);
            }
        }
        return settled;
    }

    /** What the finding's repair does: a person's choice of PostgreSQL on a broken history replaces it; otherwise the rules say. */
    private static RepairAction actionOf(LoggedFinding item) {
        if (item.status() == FindingStatus.REPAIRING && item.action() != null && item.action() != RepairAction.NONE) {
            return item.action();
        }
        RepairRules.Decision decision = RepairRules.decide(item.finding());
        if (RepairRules.PERSON.equals(item.rule()) && decision.rule().equals(RepairRules.HISTORY_HAS_NO_SECOND_SOURCE)) {
            return RepairAction.REWRITE_HISTORY;
        }
        if (RepairRules.PERSON.equals(item.rule()) && decision.waitsForPerson()) {
            return RepairAction.REFRESH_FROM_ROW;
        }
        return decision.waitsForPerson() ? RepairAction.NONE : decision.action();
    }

    private static String ruleOf(LoggedFinding item) {
        return RepairRules.PERSON.equals(item.rule()) ? RepairRules.PERSON : RepairRules.decide(item.finding()).rule();
    }

    /**
     * One chunk through the stream. The row read between the watermarks decides: there, it is written as a refresh
     * (a relationship without history deleted first, so a duplicate goes); gone, the entity is deleted.
     */
    private int throughStream(TableId table, Map<String, List<LoggedFinding>> findings, String rewriteId) throws InterruptedException {
        Subject subject = subjectOf(table);
        boolean plainRelationship = subject.match(n -> false, r -> !r.mapping().temporal());
        String repairId = rewriteId != null ? rewriteId : "repair-" + UUID.randomUUID();
        String chunkId = repairId + "." + UUID.randomUUID();
        watermarks.emitWatermark(WatermarkWindows.LOW, WatermarkWindows.lowContent(chunkId, table));
        Map<String, Map<String, Object>> rows = new HashMap<>();
        for (Map<String, Object> row : source.read(subject, findings.keySet()).rows()) {
            rows.put(EntityKeys.of(subject, row), row);
        }
        Map<String, String> evidence = RepairEvidence.of(subject, findings.keySet(), rows.keySet(), source, graph);
        List<RowChange> changes = new ArrayList<>();
        for (var entry : findings.entrySet()) {
            Map<String, Object> row = rows.get(entry.getKey());
            RepairAction action = rewriteId != null ? RepairAction.REWRITE_HISTORY : row == null ? RepairAction.DELETE_FROM_GRAPH : RepairAction.REFRESH_FROM_ROW;
            for (LoggedFinding item : List.copyOf(entry.getValue())) {
                if (begin(item, action, ruleOf(item), repairId)) {
                    reconciliations.recordEvidence(item.id(), evidence.get(entry.getKey()) + "; rule " + ruleOf(item) + ": PostgreSQL's side is taken, "
                            + action.external());
                } else {
                    entry.getValue().remove(item);
                }
            }
            if (entry.getValue().isEmpty()) {
                continue; // every finding on it was settled by a person meanwhile
            }
            if (row == null || plainRelationship) {
                changes.add(new RowChange.Delete(table, EntityKeys.keyValues(subject, entry.getKey())));
            }
            if (row != null) {
                changes.add(new RowChange.Insert(table, row));
            }
        }
        CrashPoints.reach(CrashPoints.REPAIR_BEFORE_WRITE);
        CompletableFuture<Long> applied = windows.registerChanges(chunkId, table, changes);
        try {
            watermarks.emitWatermark(WatermarkWindows.HIGH, chunkId);
            applied.get(settings.chunkTimeout().toMillis(), TimeUnit.MILLISECONDS);
            CrashPoints.reach(CrashPoints.REPAIR_AFTER_COMMIT);
        } catch (TimeoutException e) {
            log.warn("repair {}: the stream did not take it within {} s; it stays queued and is carried out again", repairId,
                    settings.chunkTimeout().toSeconds());
            return 0;
        } catch (ExecutionException e) {
            throw SyncException.persistent(ErrorText.of(e.getCause()).after("repair " + repairId + " failed: "), e.getCause());
        } finally {
            windows.forget(chunkId);
        }
        int settled = 0;
        for (List<LoggedFinding> items : findings.values()) {
            for (LoggedFinding item : items) {
                reconciliations.repaired(item.id());
                settled++;
            }
        }
        log.info("repair {}: {} entities of {} written through the stream ({} findings)", repairId, findings.size(), table, settled);
        return settled;
    }

    private int deleteUnidentified(TableId table, List<LoggedFinding> items) throws InterruptedException {
        NodeMapping node = mapping.node(table).orElseThrow(() -> new IllegalStateException(table + " is not a node table"));
        List<LoggedFinding> pending = new ArrayList<>();
        int settled = 0;
        for (LoggedFinding item : items) {
            if (item.status() == FindingStatus.REPAIRING && item.repairId() != null && graph.repairCommitted(item.repairId())) {
                reconciliations.repaired(item.id());
                settled++;
            } else {
                pending.add(item);
            }
        }
        if (pending.isEmpty()) {
            return settled;
        }
        String repairId = "repair-" + UUID.randomUUID();
        pending.removeIf(item -> !begin(item, RepairAction.DELETE_UNIDENTIFIED, ruleOf(item), repairId));
        if (pending.isEmpty()) {
            return settled;
        }
        List<String> elementIds = pending.stream().map(item -> item.finding().key()).distinct().toList();
        CrashPoints.reach(CrashPoints.REPAIR_BEFORE_WRITE);
        commit.write(new GraphWritePlan(List.of(new GraphStep.DeleteUnidentifiedNodes(node, elementIds)), elementIds.size()),
                CommitRecord.repair(repairId), this::logRetry);
        CrashPoints.reach(CrashPoints.REPAIR_AFTER_COMMIT);
        for (LoggedFinding item : pending) {
            reconciliations.repaired(item.id());
        }
        log.info("repair {}: {} nodes of {} without identity deleted", repairId, elementIds.size(), node.label());
        return settled + pending.size();
    }

    /** A person took PostgreSQL's side on a broken history: the pair's versions go (recorded), then the row comes in through the stream. */
    private int rewriteHistories(TableId table, Map<String, List<LoggedFinding>> findings) throws InterruptedException {
        RelationshipMapping relationship = mapping.relationship(table).orElseThrow(() -> new IllegalStateException(table + " is not a join table"));
        int settled = 0;
        for (var entry : findings.entrySet()) {
            LoggedFinding first = entry.getValue().get(0);
            String repairId = first.status() == FindingStatus.REPAIRING && first.repairId() != null ? first.repairId() : "repair-" + UUID.randomUUID();
            List<LoggedFinding> items = new ArrayList<>(entry.getValue());
            items.removeIf(item -> !begin(item, RepairAction.REWRITE_HISTORY, RepairRules.PERSON, repairId));
            if (items.isEmpty()) {
                continue;
            }
            if (!graph.repairCommitted(repairId)) {
                List<String> ends = EntityKeys.split(entry.getKey());
                commit.write(new GraphWritePlan(List.of(new GraphStep.DeleteRelationships(relationship,
                        List.of(new GraphStep.RelationshipKey(ends.get(0), ends.get(1))))), 1), CommitRecord.repair(repairId), this::logRetry);
            }
            Map<String, List<LoggedFinding>> pair = new HashMap<>();
            pair.put(entry.getKey(), items);
            settled += throughStream(table, pair, repairId);
        }
        return settled;
    }

    /** Marks the finding repairing; false when a person settled it meanwhile (then it is left alone). */
    private boolean begin(LoggedFinding item, RepairAction action, String rule, String repairId) {
        try {
            reconciliations.repairing(item.id(), action, rule, repairId);
            return true;
        } catch (IllegalStateException settledMeanwhile) {
            log.info("finding #{} was settled before its repair began: left as it is", item.id());
            return false;
        }
    }

    private Subject subjectOf(TableId table) {
        List<Subject> subjects = Subject.of(mapping, table);
        if (subjects.isEmpty()) {
            throw SyncException.persistent("a logged finding names " + table + ", which the mapping no longer maps", null);
        }
        return subjects.get(0);
    }

    private void logRetry(String operation, SyncException failure, int attempt, Duration wait) {
        log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage());
    }
}
