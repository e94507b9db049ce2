package io.nexussync.app.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.pipeline.ApplyListener;
import io.nexussync.app.components.CriticalComponent;
import io.nexussync.app.components.ReverseComponent;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalListener;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.app.components.VerifyComponent;
import io.nexussync.app.config.ReverseSettings;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.ReverseListener;
import io.nexussync.app.components.VerifyListener;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyReport;
import java.time.Instant;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.mapping.Lane;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import io.nexussync.postgres.slot.SlotHealth;
import java.util.function.Function;
import java.util.function.Supplier;

/** Prometheus meters, read from the pipeline's progress on each scrape, except the lag timer the apply loop records into. */
public final class SyncMetrics {
    private SyncMetrics() {}

    public static PrometheusMeterRegistry register(SyncProgress progress) {
        return register(progress, () -> null, Long.MAX_VALUE);
    }

    /**
     * @param slot the slot monitor's latest reading (null before the first: the slot gauges are then NaN)
     * @param walWarnBytes the retained-WAL warning threshold, exported so an alert can compare against it
     */
    // Micrometer holds a meter's object weakly: the counters capture progress in their function and the gauges
    // ask for a strong reference, or a scrape turns NaN once nothing else holds the progress (CI saw it).
    public static PrometheusMeterRegistry register(SyncProgress progress, Supplier<SlotHealth> slot, long walWarnBytes) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FunctionCounter.builder("nexus_sync_changes_applied", progress, counted -> progress.changesApplied())
                .description("row changes applied to the graph").register(registry);
        FunctionCounter.builder("nexus_sync_batches_applied", progress, counted -> progress.batchesApplied())
                .description("batches committed to the graph").register(registry);
        FunctionCounter.builder("nexus_sync_retries", progress, counted -> progress.retries())
                .description("failed attempts that were retried").register(registry);
        FunctionCounter.builder("nexus_sync_dead_letters", progress, counted -> progress.deadLettered())
                .description("changes the graph refused, recorded in nexus_sync.dead_letter (nexus-sync dlq list)").register(registry);
        FunctionCounter.builder("nexus_sync_parked_changes", progress, counted -> progress.parked())
                .description("changes parked behind a dead letter until it is retried or skipped").register(registry);
        Gauge.builder("nexus_sync_last_batch_size", progress, p -> p.lastBatch() == null ? 0 : p.lastBatch().changes())
                .description("row changes in the last batch").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_last_batch_seconds", progress, p -> p.lastBatch() == null ? 0 : p.lastBatch().duration().toNanos() / 1e9)
                .description("time the last batch took, graph commit and write-back included").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_checkpoint_lsn", progress, p -> (double) p.checkpoint().committedEnd().value())
                .description("WAL position the graph has committed").strongReference(true).register(registry);
        for (Lane lane : Lane.values()) {
            Gauge.builder("nexus_sync_pending_changes", progress, p -> p.queue().pendingByLane().getOrDefault(lane, 0L))
                    .tag("lane", lane.yamlName()).description("changes read from the slot and waiting for an apply worker").strongReference(true).register(registry);
        }
        Gauge.builder("nexus_sync_read_ahead_bytes", progress, p -> p.queue().pendingBytes())
                .description("estimated heap held by changes read and not yet applied (bounded by NEXUS_SYNC_READ_AHEAD)").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_batches_in_flight", progress, p -> p.queue().batchesInFlight())
                .description("batches being written by apply workers").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_batch_size", progress, p -> p.queue().batchSize())
                .description("the adaptive batch size now").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_streaming", progress, p -> p.state() == ServiceState.STREAMING ? 1 : 0)
                .description("1 while streaming, 0 while starting, reconnecting or stopped").strongReference(true).register(registry);
        slotGauge(registry, slot, "nexus_sync_slot_retained_wal_bytes", "WAL the slot keeps on the server (current position minus restart_lsn)",
                h -> h.retainedWalBytes());
        slotGauge(registry, slot, "nexus_sync_slot_lag_bytes", "WAL not yet confirmed by the sync (current position minus confirmed_flush_lsn)",
                h -> h.lagBytes());
        slotGauge(registry, slot, "nexus_sync_slot_safe_wal_bytes", "WAL that can still be written before the slot is in danger (safe_wal_size; NaN: no limit)",
                h -> h.safeWalBytes());
        slotGauge(registry, slot, "nexus_sync_slot_lost", "1 when PostgreSQL has invalidated the slot (the service stops; run nexus-sync resync)",
                h -> h.lost() ? 1L : 0L);
        Gauge.builder("nexus_sync_slot_wal_warn_bytes", () -> walWarnBytes == Long.MAX_VALUE ? Double.NaN : (double) walWarnBytes)
                .description("the retained-WAL warning threshold (NEXUS_SYNC_WAL_WARN_BYTES)").register(registry);
        return registry;
    }

    /**
     * Per circuit ({@code target}: neo4j, postgres write-back): {@code nexus_sync_circuit_open} (1 while open or
     * probing, 0 when closed) and {@code nexus_sync_circuit_opened_total} (outages since the start).
     */
    public static void registerCircuits(MeterRegistry registry, List<CircuitBreaker> circuits) {
        for (CircuitBreaker circuit : circuits) {
            Gauge.builder("nexus_sync_circuit_open", circuit, c -> c.status().isClosed() ? 0 : 1)
                    .tag("target", circuit.target()).description("1 while the server is taken as down (circuit open or probing)")
                    .strongReference(true).register(registry);
            // A function counter holds its object weakly and has no strong option: the function holds the circuit.
            FunctionCounter.builder("nexus_sync_circuit_opened", circuit, ignored -> circuit.status().timesOpened())
                    .tag("target", circuit.target()).description("times the server was taken as down since the start").register(registry);
        }
    }

    /**
     * Records each streamed change's commit-to-visible time per lane (PostgreSQL commit to graph commit) in
     * {@code nexus_sync_commit_to_visible_seconds}, as a histogram (histogram_quantile gives p50/p95/p99) for alerting on lag.
     */
    public static VisibilityListener lagRecorder(PrometheusMeterRegistry registry) {
        Map<Lane, Timer> timers = new EnumMap<>(Lane.class);
        for (Lane lane : Lane.values()) {
            timers.put(lane, Timer.builder("nexus_sync_commit_to_visible").tag("lane", lane.yamlName())
                    .description("from the PostgreSQL commit to the graph commit that made the change visible")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry));
        }
        return (lane, committedInPostgres, visibleInGraph) -> {
            Duration lag = Duration.between(committedInPostgres, visibleInGraph);
            timers.get(lane).record(lag.isNegative() ? Duration.ZERO : lag);
        };
    }

    /**
     * Verify and repair in the service: {@code nexus_sync_verify_discrepancies_found_total} and
     * {@code nexus_sync_verify_discrepancies_repaired_total} by {@code check} and {@code entity_type} (the table),
     * {@code nexus_sync_verify_detection_to_repair_seconds} (the seed's recovery time: detection to repair, a histogram),
     * and the last run's end ({@code nexus_sync_verify_last_run_timestamp_seconds}, epoch seconds), result
     * ({@code nexus_sync_verify_last_agrees}, 1 or 0), findings and entities per second (NaN before the first run).
     * Runs of {@code nexus-sync verify} in another process are not counted here; the repairs they ask for are, as the
     * service carries them out.
     *
     * @return the listener to give the verify component ({@link VerifyComponent#observe})
     */
    public static VerifyListener registerVerify(MeterRegistry registry, VerifyComponent verify) {
        return registerVerify(registry, verify, List.of());
    }

    /** As above, with the found and repaired counters of every check on {@code entityTypes} (the mapping's tables) at zero from the start. */
    public static VerifyListener registerVerify(MeterRegistry registry, VerifyComponent verify, java.util.Collection<String> entityTypes) {
        for (String table : entityTypes) {
            for (io.nexussync.core.verify.Check check : io.nexussync.core.verify.Check.values()) {
                counter(registry, "nexus_sync_verify_discrepancies_found", "discrepancies verify found", check.external(), table);
                counter(registry, "nexus_sync_verify_discrepancies_repaired", "discrepancies the service repaired", check.external(), table);
            }
        }
        Gauge.builder("nexus_sync_verify_last_run_timestamp_seconds", verify, v -> lastReport(v) == null ? Double.NaN
                        : v.last().endedAt().toEpochMilli() / 1000.0)
                .description("when the service's last verify run ended (epoch seconds)").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_verify_last_agrees", verify, v -> lastReport(v) == null ? Double.NaN : lastReport(v).agrees() ? 1 : 0)
                .description("1 when the last verify run found the two sides in agreement, 0 when not").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_verify_last_findings", verify, v -> lastReport(v) == null ? Double.NaN : lastReport(v).findingCount())
                .description("discrepancies the last verify run found").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_verify_entities_per_second", verify, v -> {
                    VerifyReport report = lastReport(v);
                    return report == null ? Double.NaN : report.entities() / Math.max(0.001, report.took().toMillis() / 1000.0);
                })
                .description("entities (rows and graph entities) the last verify run compared per second").strongReference(true).register(registry);
        Timer recovery = Timer.builder("nexus_sync_verify_detection_to_repair")
                .description("from a discrepancy's detection to its repair by the service")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofDays(1))
                .register(registry);
        return new VerifyListener() {
            @Override
            public void verified(Verifier.Request request, VerifyReport report) {
                report.byCheckAndTable().forEach((check, tables) -> tables.forEach((table, n) ->
                        counter(registry, "nexus_sync_verify_discrepancies_found", "discrepancies verify found", check, table).increment(n)));
            }

            @Override
            public void repaired(LoggedFinding finding, Instant at) {
                counter(registry, "nexus_sync_verify_discrepancies_repaired", "discrepancies the service repaired",
                        finding.finding().check().external(), finding.finding().table()).increment();
                if (finding.detectedAt() != null) {
                    Duration took = Duration.between(finding.detectedAt(), at);
                    recovery.record(took.isNegative() ? Duration.ZERO : took);
                }
            }
        };
    }

    /**
     * Reverse sync (graph edits to PostgreSQL): {@code nexus_sync_reverse_applied_total} (row writes by {@code entity}, a
     * label or relationship type), {@code nexus_sync_reverse_entries_applied_total} (outbox entries),
     * {@code nexus_sync_reverse_conflicts_total} by {@code entity} and {@code decision} (graph, postgres, waiting),
     * {@code nexus_sync_reverse_outbox_entries} (entries waiting in the graph; NaN when polling or off: no outbox),
     * {@code nexus_sync_reverse_lag_seconds} (the age of the oldest waiting entry), the histogram
     * {@code nexus_sync_reverse_graph_to_postgres_seconds} (an entry's graph commit to the PostgreSQL commit that applied it;
     * polled edits have no graph commit time and are not in it) and {@code nexus_sync_reverse_mode} (1 for the mode the
     * service runs in: plugin, poll or off).
     *
     * @return the listener to give the reverse component ({@link ReverseComponent#observe})
     */
    public static ReverseListener registerReverse(MeterRegistry registry, ReverseComponent reverse, java.time.Clock clock) {
        FunctionCounter.builder("nexus_sync_reverse_entries_applied", reverse, r -> r.status().entriesApplied())
                .description("outbox entries (graph transactions) applied to PostgreSQL").register(registry);
        Gauge.builder("nexus_sync_reverse_outbox_entries", reverse, r -> {
                    Long entries = r.status().outboxEntries();
                    return entries == null ? Double.NaN : entries;
                })
                .description("graph transactions waiting in the plugin's outbox (NaN: no outbox read, polling or off)").strongReference(true).register(registry);
        Gauge.builder("nexus_sync_reverse_lag_seconds", reverse, r -> r.status().lag(clock.instant()).toMillis() / 1000.0)
                .description("age of the oldest graph transaction waiting in the outbox (0 when none waits)").strongReference(true).register(registry);
        for (ReverseSettings.Mode mode : List.of(ReverseSettings.Mode.PLUGIN, ReverseSettings.Mode.POLL, ReverseSettings.Mode.OFF)) {
            Gauge.builder("nexus_sync_reverse_mode", reverse, r -> r.status().mode() == mode ? 1 : 0).tag("mode", mode.external())
                    .description("1 for how graph edits reach PostgreSQL now (the plugin's outbox, polling, or off)").strongReference(true).register(registry);
        }
        Timer latency = Timer.builder("nexus_sync_reverse_graph_to_postgres")
                .description("from a graph transaction's commit to the PostgreSQL commit that applied it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        return (entries, batch, at) -> {
            batch.appliedByEntity().forEach((entity, n) -> Counter.builder("nexus_sync_reverse_applied").tag("entity", entity)
                    .description("rows PostgreSQL wrote for graph edits").register(registry).increment(n));
            for (ConflictRecord conflict : batch.conflicts()) {
                Counter.builder("nexus_sync_reverse_conflicts").tag("entity", conflict.entity()).tag("decision", conflict.decision().spelling())
                        .description("graph edits in conflict with PostgreSQL, by the side the rule took").register(registry).increment();
            }
            for (GraphEdit entry : entries) {
                // A polled edit (seq 0) carries the time it was seen, not a graph commit time.
                if (entry.seq() > 0 && entry.committedAt() != null) {
                    Duration took = Duration.between(entry.committedAt(), at);
                    latency.record(took.isNegative() ? Duration.ZERO : took);
                }
            }
        };
    }

    /**
     * Critical writes: {@code nexus_sync_critical_prepared} (prepared in PostgreSQL at recovery's last look) and
     * {@code nexus_sync_critical_oldest_prepared_age_seconds} (how long the oldest of them has held its locks, growing until it
     * is finished), {@code nexus_sync_critical_decisions_total} by {@code outcome} (commit, rollback) and {@code decided_by}
     * (stream, recovery), {@code nexus_sync_critical_finished_total} by {@code result} (what PostgreSQL answered: committed,
     * rolled_back, not_prepared) and the histogram {@code nexus_sync_critical_latency_seconds}, from the PREPARE to the COMMIT
     * PREPARED or ROLLBACK PREPARED that finished it (what an application waiting for the outcome waits).
     *
     * @return the listener to give the critical component ({@link CriticalComponent#observe})
     */
    public static CriticalListener registerCritical(MeterRegistry registry, CriticalComponent critical, java.time.Clock clock) {
        Gauge.builder("nexus_sync_critical_prepared", critical, c -> c.status().prepared())
                .description("critical writes prepared in PostgreSQL and not yet committed or rolled back, at recovery's last look")
                .strongReference(true).register(registry);
        Gauge.builder("nexus_sync_critical_oldest_prepared_age_seconds", critical, c -> c.status().oldestAge(clock.instant()).toMillis() / 1000.0)
                .description("how long the oldest prepared critical write has held its locks and the xmin horizon (0 when none is prepared)")
                .strongReference(true).register(registry);
        Timer latency = Timer.builder("nexus_sync_critical_latency")
                .description("from a critical write's PREPARE to the COMMIT PREPARED or ROLLBACK PREPARED that finished it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        return new CriticalListener() {
            @Override
            public void decided(CriticalDecision standing, Instant preparedAt) {
                Counter.builder("nexus_sync_critical_decisions").tag("outcome", standing.outcome().text())
                        .tag("decided_by", String.valueOf(standing.decidedBy()))
                        .description("critical writes the graph decided, by outcome and by who decided").register(registry).increment();
            }

            @Override
            public void finished(String gid, PreparedTransactions.Finished result, Instant preparedAt) {
                Counter.builder("nexus_sync_critical_finished").tag("result", result.name().toLowerCase(java.util.Locale.ROOT))
                        .description("COMMIT PREPARED and ROLLBACK PREPARED run, by PostgreSQL's answer (not_prepared: finished before)")
                        .register(registry).increment();
                if (result != PreparedTransactions.Finished.NOT_PREPARED && preparedAt != null) {
                    Duration took = Duration.between(preparedAt, clock.instant());
                    latency.record(took.isNegative() ? Duration.ZERO : took);
                }
            }
        };
    }

    /**
     * History retention: {@code nexus_sync_history_versions_removed_total{type}}, the closed versions of each temporal
     * relationship type removed (committed) by the service's rounds, at zero from the start for every type the mapping declares;
     * {@code nexus_sync_history_tombstones_removed_total{label}} the same for the tombstones of each node table that keeps them.
     */
    public static io.nexussync.core.retention.CompactionListener registerHistoryRetention(MeterRegistry registry,
            io.nexussync.core.mapping.Mapping mapping) {
        java.util.function.Function<String, Counter> removed = type -> Counter.builder("nexus_sync_history_versions_removed").tag("type", type)
                .description("closed versions of temporal relationships removed by history retention (history.retention), by relationship type")
                .register(registry);
        mapping.relationships().stream().filter(io.nexussync.core.mapping.RelationshipMapping::temporal).forEach(r -> removed.apply(r.type()));
        java.util.function.Function<String, Counter> tombstones = label -> Counter.builder("nexus_sync_history_tombstones_removed").tag("label", label)
                .description("tombstones (nodes of deleted rows kept for their history) removed by history retention, by label")
                .register(registry);
        mapping.nodes().stream().filter(io.nexussync.core.mapping.NodeMapping::tombstones).forEach(n -> tombstones.apply(n.label()));
        return new io.nexussync.core.retention.CompactionListener() {
            @Override
            public void removed(String type, long count) {
                removed.apply(type).increment(count);
            }

            @Override
            public void tombstonesRemoved(String label, long count) {
                tombstones.apply(label).increment(count);
            }
        };
    }

    /** The error kinds {@code nexus_sync_failures_total} counts, as {@link #errorKind} names them. */
    static final List<String> ERROR_KINDS = List.of("circuit_open", "contention", "transient", "rejected", "persistent");
    /** Batch sizes in stream changes: the bucket bounds of {@code nexus_sync_batch_changes} (the batch size is at most 5,000 by default). */
    private static final double[] BATCH_BUCKETS = {1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000};

    /**
     * The apply half by entity type (a mapped table, {@code schema.table}; {@code entity_type="none"} for a write that
     * carried no row change): the histogram {@code nexus_sync_batch_changes} (stream changes per committed batch, by
     * {@code lane}, the batch's highest), {@code nexus_sync_entity_changes_applied_total} by {@code entity_type}, and
     * {@code nexus_sync_failures_total} by {@code entity_type} and {@code error_kind} (circuit_open: a call turned away by
     * an open circuit; contention: a lock conflict, retried; transient: a retryable failure; rejected: a change the graph
     * refused, dead-lettered; persistent: a failure that ends the stream session). The failure rate is
     * {@code rate(nexus_sync_failures_total[5m])}. The series of {@code entityTypes} (the mapping's tables) exist at zero
     * from the start, so a dashboard and an alert see them before the first failure.
     *
     * @return the listener to give the stream ({@code SyncService#observeApply})
     */
    public static ApplyListener registerApply(MeterRegistry registry, java.util.Collection<String> entityTypes) {
        Map<Lane, DistributionSummary> sizes = new EnumMap<>(Lane.class);
        for (Lane lane : Lane.values()) {
            sizes.put(lane, DistributionSummary.builder("nexus_sync_batch_changes").tag("lane", lane.yamlName())
                    .description("stream changes per batch committed to the graph, by the batch's highest lane")
                    .serviceLevelObjectives(BATCH_BUCKETS).register(registry));
        }
        for (String entityType : entityTypes) {
            applied(registry, entityType);
            for (String kind : ERROR_KINDS) {
                failures(registry, entityType, kind);
            }
        }
        return new ApplyListener() {
            @Override
            public void batchCommitted(Lane lane, int changes, Map<String, Integer> changesByEntityType) {
                sizes.get(lane).record(changes);
                changesByEntityType.forEach((entityType, n) -> applied(registry, entityType).increment(n));
            }

            @Override
            public void failed(String operation, java.util.Set<String> entityTypes, SyncException failure) {
                String kind = errorKind(failure);
                if (entityTypes.isEmpty()) {
                    failures(registry, "none", kind).increment();
                }
                for (String entityType : entityTypes) {
                    failures(registry, entityType, kind).increment();
                }
            }

            @Override
            public void deadLettered(String entityType) {
                failures(registry, entityType.isEmpty() ? "none" : entityType, "rejected").increment();
            }
        };
    }

    /** The {@code error_kind} of a failure, from how the adapter classified it (never from its text). */
    static String errorKind(SyncException failure) {
        if (!failure.reachedTarget()) {
            return "circuit_open";
        }
        if (failure.isContention()) {
            return "contention";
        }
        if (failure.rejectsData()) {
            return "rejected";
        }
        return failure.isRetryable() ? "transient" : "persistent";
    }

    private static Counter applied(MeterRegistry registry, String entityType) {
        return Counter.builder("nexus_sync_entity_changes_applied").tag("entity_type", entityType)
                .description("stream changes applied to the graph, by table").register(registry);
    }

    private static Counter failures(MeterRegistry registry, String entityType, String kind) {
        return Counter.builder("nexus_sync_failures").tag("entity_type", entityType).tag("error_kind", kind)
                .description("failed writes by table and error kind (retried attempts, refused changes, failures that end a session)")
                .register(registry);
    }

    /**
     * How far the graph is behind ({@link CatchUp}): {@code nexus_sync_lag_seconds} (now minus PostgreSQL's commit time of
     * the oldest change read and not yet applied; 0 when none waits; changes still in the slot are in
     * {@code nexus_sync_slot_lag_bytes}) and {@code nexus_sync_caught_up} (1 when streaming and within {@code readyLag}: what
     * {@code /health/ready} asks besides reachable servers).
     */
    public static void registerCatchUp(MeterRegistry registry, SyncProgress progress, Duration readyLag, java.time.Clock clock) {
        Gauge.builder("nexus_sync_lag_seconds", progress, p -> CatchUp.of(p, readyLag, clock.instant()).behindSeconds())
                .description("how far the graph is behind what was read from the stream: now minus the commit time of the oldest change waiting")
                .strongReference(true).register(registry);
        Gauge.builder("nexus_sync_caught_up", progress, p -> CatchUp.of(p, readyLag, clock.instant()).caughtUp() ? 1 : 0)
                .description("1 when streaming and caught up within admin.ready-lag, 0 otherwise")
                .strongReference(true).register(registry);
    }

    /**
     * The seed's recovery time for outages: the histogram {@code nexus_sync_outage_recovery_seconds} (a circuit opening or
     * the stream session breaking, until caught up again: {@link OutageRecovery}) and {@code nexus_sync_outage_seconds}
     * (how long the outage under way has lasted; 0 when none is).
     *
     * @return the recorder to tick about once a second
     */
    static OutageRecovery registerRecovery(MeterRegistry registry, SyncProgress progress, Supplier<List<CircuitBreaker.Status>> circuits,
                                           Duration readyLag, java.time.Clock clock) {
        Timer recovery = Timer.builder("nexus_sync_outage_recovery")
                .description("from the start of an outage (a circuit opening, the stream session breaking) until caught up again")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofDays(1))
                .register(registry);
        OutageRecovery tracker = new OutageRecovery(progress, circuits, readyLag, recovery::record);
        Gauge.builder("nexus_sync_outage_seconds", tracker, t -> t.current(clock.instant()).toMillis() / 1000.0)
                .description("how long the outage under way has lasted (0 when none is)").strongReference(true).register(registry);
        return tracker;
    }

    /**
     * JVM and process meters (Micrometer's binders: memory, GC, threads, class loading, CPU, uptime, file descriptors).
     *
     * @return the GC meters, to close at shutdown (they listen for GC notifications)
     */
    public static AutoCloseable registerJvm(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    /**
     * {@code nexus_sync_build_info{version, commit} 1}: which build runs, for a dashboard to show and to join on. A Prometheus
     * info metric, registered with the Prometheus client itself: Micrometer takes the {@code _info} off a gauge's name.
     */
    public static void registerBuildInfo(PrometheusMeterRegistry registry, String version, String commit) {
        io.prometheus.metrics.core.metrics.Info.builder().name("nexus_sync_build_info")
                .help("1, labelled with the running build's version and commit").labelNames("version", "commit")
                .register(registry.getPrometheusRegistry())
                .addLabelValues(version, commit);
    }

    private static VerifyReport lastReport(VerifyComponent verify) {
        VerifyComponent.Outcome last = verify.last();
        return last == null ? null : last.report();
    }

    private static Counter counter(MeterRegistry registry, String name, String description, String check, String table) {
        return Counter.builder(name).tag("check", check).tag("entity_type", table).description(description).register(registry);
    }

    private static void slotGauge(PrometheusMeterRegistry registry, Supplier<SlotHealth> slot, String name, String description,
                                  Function<SlotHealth, Long> value) {
        Gauge.builder(name, () -> {
            SlotHealth health = slot.get();
            Long v = health == null ? null : value.apply(health);
            return v == null ? Double.NaN : (double) v;
        }).description(description).register(registry);
    }
}
