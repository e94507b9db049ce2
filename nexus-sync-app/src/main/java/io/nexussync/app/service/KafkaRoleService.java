package io.nexussync.app.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.components.KafkaApplyComponent;
import io.nexussync.app.components.DeletionMarkerRetentionComponent;
import io.nexussync.app.components.KafkaCaptureComponent;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.Supervisor;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.postgres.setup.PgSetup;
import java.util.List;

/**
 * One of the two roles that split {@code run} over Kafka: capture (the slot to the change topic) or apply (the change
 * topic to the graph), each one component under a {@link Supervisor}, which restarts it after a retryable failure.
 */
public final class KafkaRoleService implements AutoCloseable {
    private final ServiceWiring wiring;
    private final SyncProgress progress = new SyncProgress();
    private final Component role;
    private final Supervisor supervisor;
    private AdminServer admin;

    private KafkaRoleService(SyncConfig config, boolean applies, java.util.function.BiFunction<ServiceWiring, SyncProgress, Component> role) {
        this.wiring = new ServiceWiring(config, java.util.function.UnaryOperator.identity(), applies);
        this.role = role.apply(wiring, progress);
        this.supervisor = new Supervisor(applies
                ? List.of(this.role, new DeletionMarkerRetentionComponent(wiring::removeDeletionMarkersBefore, config.kafka().retention(), wiring.clock()))
                : List.of(this.role), wiring.retry());
    }

    /** The capture role: needs PostgreSQL and Kafka, no graph. */
    public static KafkaRoleService capture(SyncConfig config) {
        return new KafkaRoleService(config, false, KafkaCaptureComponent::new);
    }

    /** The apply role: needs Kafka and the graph (and PostgreSQL for the write-back of cross-references). */
    public static KafkaRoleService apply(SyncConfig config, KafkaApplyComponent.Format format) {
        return new KafkaRoleService(config, true, (wiring, progress) -> new KafkaApplyComponent(wiring, progress, format));
    }

    public SyncConfig config() {
        return wiring.config();
    }

    /** Runs until {@link #stop()}; throws the first problem a retry cannot fix. */
    public void run() throws InterruptedException {
        try {
            if (role instanceof KafkaCaptureComponent) {
                // The slot is the capture's alone: another process reading it would take changes from the topic.
                PgSetup.checkSlotFree(wiring.config().postgres());
            }
            startAdmin();
            supervisor.run();
        } catch (RuntimeException | Error failed) {
            progress.stateChanged(ServiceState.FAILED, failed);
            throw failed;
        }
    }

    /**
     * The admin API of a role (when admin.port is not -1): {@code /health}, {@code /status} with the role's own figures, and
     * {@code /metrics} with, for apply, the lag of each partition it holds.
     */
    private void startAdmin() {
        if (!wiring.config().admin().enabled()) {
            return;
        }
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdminServer server = new AdminServer(wiring.config().admin(), progress, metrics, () -> null, Long.MAX_VALUE, null)
                .withStatus("role", role::name);
        if (role instanceof KafkaApplyComponent apply) {
            var kafka = wiring.config().kafka();
            server.withStatus("kafka", () -> java.util.Map.of("topic", kafka.topic(), "group", kafka.group(), "lagByPartition", apply.lag(),
                    "lag", apply.lag().values().stream().mapToLong(Long::longValue).sum(), "applied", apply.applied()));
            Gauge.builder("nexus_sync_kafka_consumer_lag", apply, a -> a.lag().values().stream().mapToLong(Long::longValue).sum())
                    .description("records of the change topic this apply instance holds and has not applied yet (all its partitions)")
                    .tag("topic", kafka.topic()).tag("group", kafka.group()).register(metrics);
            apply.onPartitionLag((partition, initial) -> Gauge.builder("nexus_sync_kafka_partition_lag", apply,
                            a -> a.lag().getOrDefault(partition, 0L))
                    .description("records of one partition of the change topic not yet applied (0 once it moved to another instance)")
                    .tag("topic", kafka.topic()).tag("group", kafka.group()).tag("partition", String.valueOf(partition)).register(metrics));
        }
        admin = server;
    }

    public void stop() {
        supervisor.stop();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        wiring.close();
    }
}
