package io.nexussync.app.service;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.critical.CriticalTransactions;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.neo4j.Neo4jGraphWriter;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.backfill.PgBackfillStore;
import io.nexussync.postgres.bookkeeping.PgStatus;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import io.nexussync.postgres.slot.Bytes;
import io.nexussync.postgres.slot.SlotHealth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.postgres.verify.PgReconciliationLog;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.neo4j.Neo4jGraphOutbox;
import io.nexussync.postgres.reverse.PgConflictLog;
import io.nexussync.postgres.reverse.PgReverseStore;
import org.neo4j.driver.Driver;

/**
 * {@code nexus-sync status}: where the slot stands (retained WAL, lag, warnings, invalidation), how
 * far behind the graph is, the last batch, and the critical writes still prepared.
 */
public final class StatusReport {
    private static final int OPEN_FINDINGS_COUNTED = 10_000;

    private StatusReport() {}

    public static Map<String, Object> collect(SyncConfig config, Driver driver) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("slot", config.postgres().slot());
        status.put("writeBack", WriteBackStatus.of(config));
        PgConnectionSource postgres = PgConnectionSource.direct(config.postgres(), "status");
        PgStatus read = PgStatus.read(postgres);
        putSlot(status, read.slot(), config.walWarnBytes());
        if (!read.logReadable()) {
            status.put("lastBatch", null);
        } else if (read.lastBatch() != null) {
            status.put("lastBatch", read.lastBatch());
        }
        Neo4jGraphWriter graph = new Neo4jGraphWriter(driver, config.neo4jDatabase(), config.postgres().slot());
        Checkpoint checkpoint = graph.loadCheckpoint();
        status.put("graphCheckpoint", checkpoint.committedEnd().isValid() ? checkpoint.committedEnd().toString() : null);
        SnapshotMark mark = graph.loadSnapshotMark();
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("state", switch (mark.state()) {
            case NONE -> "not taken yet";
            case RUNNING -> "running, or cut short (a new one begins at the next start)";
            case DONE -> "done";
        });
        if (mark.state() != SnapshotMark.State.NONE) {
            snapshot.put("consistentPosition", mark.consistentPoint().toString());
            snapshot.put("rows", mark.rowsDone());
        }
        status.put("snapshot", snapshot);
        try {
            status.put("backfills", new PgBackfillStore(postgres).list(5));
        } catch (SyncException e) {
            status.put("backfills", "unknown (" + e.getMessage() + ")");
        }
        status.put("verify", verifyFindings(postgres));
        status.put("reverse", reverse(config, driver, postgres));
        status.put("critical", critical(postgres));
        if (config.kafka().configured()) {
            status.put("kafka", kafka(config, graph));
        }
        return status;
    }

    /**
     * The apply role's group as the graph holds it: per partition of the change topic, the graph's next offset, the topic's
     * end and the lag between, with the total.
     */
    private static Object kafka(SyncConfig config, Neo4jGraphWriter graph) {
        var kafka = config.kafka();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("topic", kafka.topic());
        view.put("group", kafka.group());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                io.nexussync.kafka.KafkaClientConfigs.admin(new io.nexussync.kafka.KafkaConnection(kafka.bootstrapServers(), kafka.clientProperties())))) {
            var lags = io.nexussync.kafka.apply.GroupLag.read(admin, kafka.topic(), graph.loadOffsets(kafka.group(), kafka.topic()),
                    java.time.Duration.ofSeconds(10));
            view.put("lag", lags.stream().mapToLong(io.nexussync.kafka.apply.GroupLag.PartitionLag::lag).sum());
            view.put("partitions", lags.stream().map(l -> kafka.topic() + " partition " + l.partition() + ": graph at "
                    + (l.graphOffset() == null ? "none" : l.graphOffset()) + ", end " + l.endOffset() + ", lag " + l.lag()).toList());
            view.put("criticalTopic", kafka.criticalTopic());
            criticalLag(admin, kafka, graph, view);
        } catch (SyncException e) {
            view.put("lag", "unknown (" + e.getMessage() + ")");
        }
        return view;
    }

    /** The critical topic's lag, as the change topic's (a Debezium apply has none: its topic is missing, which it says). */
    private static void criticalLag(org.apache.kafka.clients.admin.Admin admin, io.nexussync.app.config.KafkaSettings kafka,
                                    Neo4jGraphWriter graph, Map<String, Object> view) {
        try {
            var lags = io.nexussync.kafka.apply.GroupLag.read(admin, kafka.criticalTopic(),
                    graph.loadOffsets(kafka.group(), kafka.criticalTopic()), java.time.Duration.ofSeconds(10));
            view.put("criticalLag", lags.stream().mapToLong(io.nexussync.kafka.apply.GroupLag.PartitionLag::lag).sum());
            view.put("criticalPartitions", lags.stream().map(l -> kafka.criticalTopic() + " partition " + l.partition() + ": graph at "
                    + (l.graphOffset() == null ? "none" : l.graphOffset()) + ", end " + l.endOffset() + ", lag " + l.lag()).toList());
        } catch (SyncException e) {
            view.put("criticalLag", "unknown (" + e.getMessage() + ")");
        }
    }

    /**
     * Critical writes prepared in PostgreSQL and not finished yet: how many, and the oldest (its id and age). Recovery's last pass
     * and the counts since the start are in the running service's {@code /status}.
     */
    private static Object critical(PgConnectionSource postgres) {
        try {
            List<PreparedTransactions.Prepared> prepared = new PgPreparedTransactions(postgres).list();
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("prepared", prepared.size());
            if (!prepared.isEmpty()) {
                PreparedTransactions.Prepared oldest = prepared.get(0);
                view.put("oldestId", CriticalTransactions.idOf(oldest.gid()));
                view.put("oldestPreparedAt", oldest.preparedAt().toString());
                view.put("oldestAgeSeconds", Math.max(0, java.time.Duration.between(oldest.preparedAt(), java.time.Instant.now()).toMillis()) / 1000.0);
            }
            return view;
        } catch (SyncException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * Reverse sync as the servers show it: the outbox waiting in the graph (depth, age of the oldest entry), the last entry
     * PostgreSQL applied, the conflicts that wait for a person. The mode the running service chose is in its {@code /status}.
     */
    private static Object reverse(SyncConfig config, Driver driver, PgConnectionSource postgres) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("configuredMode", config.reverse().mode().external());
        try {
            GraphOutbox.Backlog backlog = new Neo4jGraphOutbox(driver, config.neo4jDatabase()).backlog();
            view.put("outboxEntries", backlog.entries());
            view.put("oldestWaitingAt", backlog.oldestCommittedAt() == null ? null : backlog.oldestCommittedAt().toString());
            view.put("lagSeconds", backlog.oldestCommittedAt() == null ? 0.0
                    : Math.max(0, java.time.Duration.between(backlog.oldestCommittedAt(), java.time.Instant.now()).toMillis()) / 1000.0);
        } catch (SyncException e) {
            view.put("outboxEntries", "unknown (" + e.getMessage() + ")");
        }
        try {
            Mapping mapping = config.loadMapping();
            view.put("appliedThroughSeq", new PgReverseStore(postgres, mapping, config.postgres().slot()).appliedThrough());
            view.put("openConflicts", new PgConflictLog(postgres).openCount());
        } catch (SyncException e) {
            view.put("openConflicts", "unknown (" + e.getMessage() + ")");
        }
        view.put("mode", "the mode the running service chose: its GET /status");
        return view;
    }

    /**
     * What {@code nexus_sync.reconciliation_log} holds open, by status (a running verify's progress and the last
     * run's summary live in the service: its {@code /status} shows them).
     */
    private static Object verifyFindings(PgConnectionSource postgres) {
        try {
            List<LoggedFinding> open = new PgReconciliationLog(postgres).findings(true, OPEN_FINDINGS_COUNTED);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("openFindings", open.size() >= OPEN_FINDINGS_COUNTED ? "at least " + OPEN_FINDINGS_COUNTED : open.size());
            Map<String, Long> byStatus = new TreeMap<>();
            open.forEach(f -> byStatus.merge(f.status().external(), 1L, Long::sum));
            view.put("byStatus", byStatus);
            view.put("lastDetectedAt", open.stream().map(LoggedFinding::detectedAt).filter(java.util.Objects::nonNull).max(java.util.Comparator.naturalOrder())
                    .map(Object::toString).orElse(null));
            view.put("progress", "a running verify and the last run's result: the service's GET /status or GET /verify");
            return view;
        } catch (SyncException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * The slot's part of the status, shared by {@code nexus-sync status} and the admin {@code /status}:
     * {@code slotHealth} is one word ({@code ok}, {@code warning}, {@code lost}, {@code missing}),
     * {@code warnings} what to look at, {@code problem} what stops the service and how to recover.
     */
    public static void putSlot(Map<String, Object> status, SlotHealth slot, long warnBytes) {
        status.put("slotHealth", slot.state(warnBytes));
        status.put("slotActive", slot.active());
        if (!slot.exists()) {
            status.put("serverPosition", slot.serverPosition().toString());
            status.put("problem", "the slot does not exist yet: the first nexus-sync run creates it and takes the initial snapshot");
            return;
        }
        status.put("slotPid", slot.activePid());
        status.put("confirmedPosition", slot.confirmedPosition().isValid() ? slot.confirmedPosition().toString() : null);
        status.put("serverPosition", slot.serverPosition().toString());
        status.put("lagBytes", slot.lagBytes());
        status.put("retainedWalBytes", slot.retainedWalBytes());
        status.put("retainedWal", slot.retainedWalBytes() == null ? null : Bytes.format(slot.retainedWalBytes()));
        status.put("walWarnBytes", warnBytes);
        status.put("walStatus", slot.walStatus());
        // Critical writes need it: the stream turns it on at its first start on PostgreSQL 15+.
        status.put("twoPhase", slot.twoPhase());
        status.put("safeWalBytes", slot.safeWalBytes());
        status.put("invalidationReason", slot.lost() ? slot.reason() : null);
        List<String> warnings = slot.warnings(warnBytes);
        if (!warnings.isEmpty()) {
            status.put("warnings", warnings);
        }
        if (slot.lost()) {
            status.put("problem", slot.problem().getMessage());
        }
    }

    public static String asText(Map<String, Object> status) {
        StringBuilder out = new StringBuilder();
        status.forEach((k, v) -> {
            if (v instanceof List<?> items) {
                out.append(k).append(":\n");
                items.forEach(item -> out.append("  - ").append(item).append('\n'));
            } else if (v instanceof Map<?, ?> nested) {
                out.append(k).append(":\n");
                nested.forEach((nk, nv) -> out.append("  ").append(nk).append(": ").append(nv).append('\n'));
            } else {
                out.append(k).append(": ").append(v).append('\n');
            }
        });
        return out.toString();
    }
}
