package io.nexussync.app.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.config.AdminSettings;
import io.nexussync.app.service.SyncService;
import io.nexussync.neo4j.Neo4jTemporalGraph;
import java.time.Clock;

/**
 * The admin API of a running service with every endpoint it has: the one place that lists them, so that
 * {@code nexus-sync run}, the demo and the tests that drive the console or check the dashboard serve the same API
 * (before, each built its own, and the demo lacked {@code /critical}, {@code /log} and the liveness probe's reasons).
 */
public final class ServiceAdmin {
    private ServiceAdmin() {}

    /** Listens on {@code settings} (the service's own, or a test's) and serves {@code metrics} on {@code /metrics}. */
    public static AdminServer start(SyncService service, AdminSettings settings, PrometheusMeterRegistry metrics) {
        Clock clock = Clock.systemUTC();
        return new AdminServer(settings, service.progress(), metrics, service::slotHealth, service.config().walWarnBytes(),
                service.backfills(),
                DeadLetterEndpoint.of(service.deadLetterQueue()),
                VerifyEndpoint.of(service.verify(), service.reconciliations(), service.mapping()),
                ConflictEndpoint.of(service.conflictLog(), service.reverse(), clock),
                CriticalEndpoint.of(service.preparedTransactions(), service.criticalRunner(), service.critical(), clock),
                LogEndpoint.of(service.transactionLog()),
                HistoryEndpoint.of(service.mapping(), new Neo4jTemporalGraph(service.driver(), service.config().neo4jDatabase())))
                .withCircuits(service.circuits()).withHistory(service.statusHistory()).withLiveness(service::livenessProblems)
                .withStatus("historyRetention", service.historyRetention()::state)
                .withStatus("writeBack", () -> io.nexussync.app.service.WriteBackStatus.of(service.config()));
    }
}
