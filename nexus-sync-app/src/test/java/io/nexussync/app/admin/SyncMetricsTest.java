package io.nexussync.app.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.components.CriticalComponent;
import io.nexussync.app.components.ReverseComponent;
import io.nexussync.app.config.CriticalSettings;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.CriticalListener;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.model.Lsn;
import io.nexussync.app.config.ReverseSettings;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.ConflictRule;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.core.reverse.PolledGraph;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.ReverseCatalog;
import io.nexussync.core.reverse.ReverseListener;
import io.nexussync.core.reverse.ReverseStore;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.mapping.Lane;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncMetricsTest {

    @Test
    void shouldCountHistoryVersionsRemovedPerTypeFromZero() {
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        io.nexussync.core.retention.CompactionListener removed = SyncMetrics.registerHistoryRetention(registry, MappingLoader.builtIn());
        assertThat(registry.scrape()).contains("nexus_sync_history_versions_removed_total{type=\"INCLUDES\"} 0.0")
                .doesNotContain("type=\"TAGGED_WITH\"");

        removed.removed("INCLUDES", 1_000);
        removed.removed("INCLUDES", 234);

        assertThat(registry.scrape()).contains("nexus_sync_history_versions_removed_total{type=\"INCLUDES\"} 1234.0");
    }

    @Test
    void shouldExportCommitToVisibleLagPerLane() {
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        VisibilityListener lag = SyncMetrics.lagRecorder(registry);
        Instant committed = Instant.parse("2025-01-01T00:00:00Z");

        lag.visible(Lane.CRITICAL, committed, committed.plusMillis(120));
        lag.visible(Lane.LOW, committed, committed.plusSeconds(3));

        System.gc(); // the registry alone must keep the progress it reads: a collected one scrapes as NaN
        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_commit_to_visible_seconds_count{lane=\"critical\"} 1")
                .contains("nexus_sync_commit_to_visible_seconds_max{lane=\"low\"} 3.0")
                .contains("nexus_sync_commit_to_visible_seconds_bucket{lane=\"critical\",le=\"0.134217727\"} 1")
                .contains("nexus_sync_pending_changes{lane=\"normal\"} 0.0")
                .contains("nexus_sync_dead_letters_total 0.0");
    }

    @Test
    void shouldExportEachCircuitsStateAndOutages() {
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        registerCircuitsWithNeo4jDown(registry);

        System.gc(); // the registry alone must keep the circuits it reads
        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_circuit_open{target=\"neo4j\"} 1.0")
                .contains("nexus_sync_circuit_open{target=\"postgres write-back\"} 0.0")
                .contains("nexus_sync_circuit_opened_total{target=\"neo4j\"} 1.0")
                .contains("nexus_sync_circuit_opened_total{target=\"postgres write-back\"} 0.0");
    }

    /** In a method of its own, so that nothing but the registry holds the circuits afterwards. */
    private static void registerCircuitsWithNeo4jDown(PrometheusMeterRegistry registry) {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-24T23:50:01Z"));
        CircuitBreaker neo4j = new CircuitBreaker("neo4j", 1,
                new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), 0, d -> { }, new java.util.Random(1)), clock);
        CircuitBreaker writeBack = CircuitBreaker.of("postgres write-back", CircuitBreaker.Settings.DEFAULT, clock);
        SyncMetrics.registerCircuits(registry, List.of(neo4j, writeBack));
        assertThatThrownBy(() -> neo4j.run(() -> {
            throw SyncException.retryable("connection refused", null);
        })).isInstanceOf(SyncException.class);
    }

    @Test
    void shouldExportReverseSyncCountsByEntityAndDecisionItsDepthLagModeAndGraphToPostgresLatency() {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:10Z"));
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        ReverseListener listener = registerReverseWaiting(registry, clock);
        Instant graphCommit = Instant.parse("2026-12-06T10:00:00Z");
        RowRef row = new RowRef(TableId.parse("public.content_items"), java.util.Map.of("id", "1"), "1");
        ConflictRecord conflict = new ConflictRecord(row, "ContentItem", ConflictRecord.Kind.PROPERTY, "access_level", ConflictRule.POSTGRES_WINS,
                ConflictRecord.Side.POSTGRES, 4L, 0L, 3L, 1L, "internal", "public", graphCommit, graphCommit, 1, "security belongs to PostgreSQL");

        listener.applied(List.of(new GraphEdit(1, graphCommit, List.of()), new GraphEdit(2, graphCommit.plusMillis(40), List.of()),
                        new GraphEdit(0, graphCommit, List.of())),
                new ReverseBatch(2, java.util.Map.of("ContentItem", 2, "TAGGED_WITH", 1), List.of(conflict)), graphCommit.plusMillis(80));

        System.gc(); // the registry alone must keep the component it reads
        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_reverse_applied_total{entity=\"ContentItem\"} 2.0")
                .contains("nexus_sync_reverse_applied_total{entity=\"TAGGED_WITH\"} 1.0")
                .contains("nexus_sync_reverse_conflicts_total{decision=\"postgres\",entity=\"ContentItem\"} 1.0")
                .as("the polled edit (seq 0) has no graph commit time").contains("nexus_sync_reverse_graph_to_postgres_seconds_count 2")
                .contains("nexus_sync_reverse_graph_to_postgres_seconds_max 0.08")
                .contains("nexus_sync_reverse_outbox_entries 3.0")
                .contains("nexus_sync_reverse_lag_seconds 10.0")
                .contains("nexus_sync_reverse_mode{mode=\"plugin\"} 1.0").contains("nexus_sync_reverse_mode{mode=\"poll\"} 0.0");
    }

    /** A reverse component stopped right after its session read the backlog: three entries, the oldest ten seconds old; only the registry holds it afterwards. */
    private static ReverseListener registerReverseWaiting(PrometheusMeterRegistry registry, ManualClock clock) {
        GraphOutbox outbox = new GraphOutbox() {
            @Override
            public List<GraphEdit> next(int limit) {
                return List.of();
            }

            @Override
            public void removeThrough(long seq) {
            }

            @Override
            public Backlog backlog() {
                return new Backlog(3, Instant.parse("2026-12-06T10:00:00Z"));
            }

            @Override
            public String assignKey(String label, String idProperty, String elementId, String key) {
                return null;
            }

            @Override
            public String keyOf(String label, String idProperty, String elementId) {
                return null;
            }

            @Override
            public void removeNode(String label, String elementId) {
            }

            @Override
            public void removeRelationship(ReverseCatalog.RelationshipRules rules, String fromId, String toId) {
            }

            @Override
            public void publish(ReverseCatalog catalog) {
            }

            @Override
            public boolean pluginInstalled() {
                return true;
            }
        };
        ReverseComponent reverse = new ReverseComponent(new ReverseComponent.Sides() {
            @Override
            public ReverseCatalog catalog() {
                return ReverseCatalog.of(MappingLoader.builtIn(), table -> List.of());
            }

            @Override
            public GraphOutbox outbox() {
                return outbox;
            }

            @Override
            public PolledGraph polledGraph() {
                throw new UnsupportedOperationException();
            }

            @Override
            public ReverseStore store() {
                return null;
            }

            @Override
            public void withdrawPlugin() {
            }
        }, ReverseSettings.DEFAULTS, clock);
        try {
            reverse.run(new ComponentContext() {
                @Override
                public void ready() {
                }

                @Override
                public void fail(SyncException problem) {
                }

                @Override
                public boolean stopping() {
                    return true;
                }

                @Override
                public boolean stoppedWithin(Duration timeout) {
                    return true;
                }
            });
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return SyncMetrics.registerReverse(registry, reverse, clock);
    }

    @Test
    void shouldExportThePreparedCriticalWritesTheirAgeDecisionsResultsAndLatency() throws InterruptedException {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
        FakePreparedTransactions prepared = new FakePreparedTransactions();
        prepared.open.add(new PreparedTransactions.Prepared("nexus_sync:old", 700, clock.instant().minusSeconds(8)));
        CriticalComponent critical = new CriticalComponent(prepared, () -> {
            throw SyncException.retryable("neo4j unreachable", null);
        }, CriticalSettings.DEFAULTS, clock);
        PrometheusMeterRegistry registry = SyncMetrics.register(new SyncProgress());
        critical.observe(SyncMetrics.registerCritical(registry, critical, clock));
        CriticalListener listener = critical.listener();

        critical.run(new ComponentContext() {
            @Override
            public void ready() {
            }

            @Override
            public void fail(SyncException problem) {
            }

            @Override
            public boolean stopping() {
                return true;
            }

            @Override
            public boolean stoppedWithin(Duration timeout) {
                return true;
            }
        });
        clock.advance(Duration.ofSeconds(2));
        listener.decided(CriticalDecision.commit("nexus_sync:a", 1, clock.instant(), Lsn.of(0x10)), clock.instant().minusMillis(250));
        listener.finished("nexus_sync:a", PreparedTransactions.Finished.COMMITTED, clock.instant().minusMillis(250));
        listener.decided(CriticalDecision.rollback("nexus_sync:b", 1, "timed out", clock.instant(), null, CriticalDecision.BY_RECOVERY), clock.instant());
        listener.finished("nexus_sync:b", PreparedTransactions.Finished.NOT_PREPARED, clock.instant());

        System.gc(); // the registry alone must keep the component it reads
        String scrape = registry.scrape();
        assertThat(scrape).contains("nexus_sync_critical_prepared 1.0")
                .contains("nexus_sync_critical_oldest_prepared_age_seconds 10.0")
                .contains("nexus_sync_critical_decisions_total{decided_by=\"stream\",outcome=\"commit\"} 1.0")
                .contains("nexus_sync_critical_decisions_total{decided_by=\"recovery\",outcome=\"rollback\"} 1.0")
                .contains("nexus_sync_critical_finished_total{result=\"committed\"} 1.0")
                .contains("nexus_sync_critical_finished_total{result=\"not_prepared\"} 1.0")
                .contains("nexus_sync_critical_latency_seconds_count 1")
                .contains("nexus_sync_critical_latency_seconds_max 0.25");
    }

    private static final class FakePreparedTransactions implements PreparedTransactions {
        final List<PreparedTransactions.Prepared> open = new java.util.ArrayList<>();

        @Override
        public List<PreparedTransactions.Prepared> list() {
            return open;
        }

        @Override
        public PreparedTransactions.Finished finish(CriticalDecision decision) {
            return PreparedTransactions.Finished.NOT_PREPARED;
        }
    }
}
