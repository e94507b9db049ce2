package io.nexussync.app.admin;

import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The seed's recovery time for outages: from the moment the sync is taken as down (a circuit opens, or the stream session
 * breaks and reconnects) until it streams again caught up ({@link CatchUp}). A write retried on contention is no outage: a
 * server that keeps failing opens its circuit. Fed by a tick, about once a
 * second; an outage shorter than a tick may go unseen, which is no loss for a metric about recoveries that take seconds
 * to hours. The start-up and the initial snapshot are no outage. Not thread-safe: one thread ticks.
 */
final class OutageRecovery {
    private final SyncProgress progress;
    private final Supplier<List<CircuitBreaker.Status>> circuits;
    private final Duration caughtUpLag;
    private final Consumer<Duration> recovered;
    private Instant outageSince;

    /** @param recovered told each outage's length, from its start to caught up */
    OutageRecovery(SyncProgress progress, Supplier<List<CircuitBreaker.Status>> circuits, Duration caughtUpLag, Consumer<Duration> recovered) {
        this.progress = progress;
        this.circuits = circuits;
        this.caughtUpLag = caughtUpLag;
        this.recovered = recovered;
    }

    void tick(Instant now) {
        boolean down = isDown();
        if (outageSince == null) {
            if (down) {
                outageSince = outageStart(now);
            }
            return;
        }
        if (!down && CatchUp.of(progress, caughtUpLag, now).caughtUp()) {
            Duration took = Duration.between(outageSince, now);
            outageSince = null;
            recovered.accept(took.isNegative() ? Duration.ZERO : took);
        }
    }

    /** How long the outage under way has lasted (zero when none is). */
    Duration current(Instant now) {
        Instant since = outageSince;
        return since == null ? Duration.ZERO : Duration.between(since, now);
    }

    private boolean isDown() {
        if (progress.state() == ServiceState.RECONNECTING) {
            return true;
        }
        return circuits.get().stream().anyMatch(c -> !c.isClosed());
    }

    /** The earliest known start: when the state changed or a circuit opened, if that was before this tick. */
    private Instant outageStart(Instant now) {
        Instant start = now;
        if (progress.state() == ServiceState.RECONNECTING && progress.stateSince().isBefore(start)) {
            start = progress.stateSince();
        }
        for (CircuitBreaker.Status circuit : circuits.get()) {
            if (!circuit.isClosed() && circuit.since().isBefore(start)) {
                start = circuit.since();
            }
        }
        return start;
    }
}
