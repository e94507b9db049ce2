package io.nexussync.app.admin;

import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes-style probes. {@code /health/live}: the process can make progress (not failed for good, every
 * component's thread running); a long initial snapshot, a reconnect or a server away are live, so a liveness probe never
 * kills a service that would recover by itself. {@code /health/ready}: streaming, every server it writes to reachable,
 * no critical-write alert, and caught up within {@code admin.ready-lag} ({@link CatchUp}). 200 when up, 503 with the
 * reasons otherwise; the reasons carry the public form of errors only (no server text).
 */
record Probe(boolean up, String status, List<String> reasons, Double lagSeconds) {

    static Probe live(List<String> problems) {
        return new Probe(problems.isEmpty(), problems.isEmpty() ? "live" : "dead", List.copyOf(problems), null);
    }

    static Probe ready(SyncProgress progress, List<CircuitBreaker.Status> circuits, List<String> alerts, Duration readyLag, Instant now) {
        Health health = Health.of(progress, circuits, alerts);
        CatchUp catchUp = CatchUp.of(progress, readyLag, now);
        List<String> reasons = new ArrayList<>(health.reasons());
        if (progress.state() == ServiceState.STREAMING && !catchUp.caughtUp()) {
            reasons.add(catchUp.behind().compareTo(readyLag) > 0
                    ? "behind the stream by " + catchUp.behind().toSeconds() + " s (more than admin.ready-lag, " + readyLag.toSeconds() + " s)"
                    : "catching up: the stream session has not read everything the stream had yet");
        }
        boolean ready = health.ready() && catchUp.caughtUp();
        return new Probe(ready, ready ? "ready" : "not ready", List.copyOf(reasons), catchUp.behindSeconds());
    }

    int httpStatus() {
        return up ? 200 : 503;
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("reasons", reasons);
        if (lagSeconds != null) {
            body.put("lagSeconds", lagSeconds);
        }
        return body;
    }
}
