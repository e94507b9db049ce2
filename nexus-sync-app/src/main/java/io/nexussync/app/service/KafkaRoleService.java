package io.nexussync.app.service;

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
            supervisor.run();
        } catch (RuntimeException | Error failed) {
            progress.stateChanged(ServiceState.FAILED, failed);
            throw failed;
        }
    }

    /** Where the role is in its life, for {@code /health} and {@code /status}. */
    public SyncProgress progress() {
        return progress;
    }

    /** The role's component: {@link KafkaCaptureComponent} or {@link KafkaApplyComponent}. */
    public Component role() {
        return role;
    }

    public void stop() {
        supervisor.stop();
    }

    @Override
    public void close() {
        wiring.close();
    }
}
