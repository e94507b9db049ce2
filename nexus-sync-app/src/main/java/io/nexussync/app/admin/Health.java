package io.nexussync.app.admin;

import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to {@code /health}, for orchestrators: {@code live} (the service is running its loop: restart it
 * when false), {@code ready} (streaming, and every server it writes to is reachable) and {@code status}, one of
 * {@code ready}, {@code starting} (setup or the initial snapshot), {@code degraded} (running but not keeping up:
 * a server is away, the stream is reconnecting, or a critical write has been prepared too long; it recovers by itself) and
 * {@code failed} (stopped for good), with {@code reasons}: what is wrong and since when.
 */
public record Health(boolean live, boolean ready, String status, String state, List<String> reasons) {

    public static Health of(SyncProgress progress, List<CircuitBreaker.Status> circuits) {
        return of(progress, circuits, List.of());
    }

    /**
     * @param alerts what else keeps the service from being ready although it streams with every server reachable (a critical
     *               write prepared longer than {@code critical.alert-age}: its locks and PostgreSQL's xmin horizon are held)
     */
    public static Health of(SyncProgress progress, List<CircuitBreaker.Status> circuits, List<String> alerts) {
        ServiceState state = progress.state();
        List<String> reasons = new ArrayList<>();
        for (CircuitBreaker.Status circuit : circuits) {
            if (!circuit.isClosed()) {
                reasons.add(circuit.reason());
            }
        }
        boolean circuitsClosed = reasons.isEmpty();
        boolean streaming = state == ServiceState.STREAMING;
        boolean failed = state == ServiceState.FAILED;
        if (!streaming) {
            String error = progress.lastError();
            boolean saysWhy = failed || state == ServiceState.RECONNECTING || state == ServiceState.RETRYING;
            reasons.add(progress.stateName() + " since " + progress.stateSince() + (saysWhy && error != null ? ": " + error : ""));
        }
        reasons.addAll(alerts);
        boolean ready = streaming && circuitsClosed && alerts.isEmpty();
        boolean starting = state == ServiceState.STARTING || state == ServiceState.SNAPSHOT;
        String status = failed ? "failed" : ready ? "ready" : starting && circuitsClosed ? "starting" : "degraded";
        return new Health(!failed, ready, status, progress.stateName(), List.copyOf(reasons));
    }

    /** 200 when ready, 503 otherwise. */
    public int httpStatus() {
        return ready ? 200 : 503;
    }

    /** The JSON body; {@code reason} (the first reason) is kept for clients of the earlier answer. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("live", live);
        body.put("ready", ready);
        body.put("status", status);
        body.put("state", state);
        body.put("reasons", reasons);
        if (!reasons.isEmpty()) {
            body.put("reason", reasons.get(0));
        }
        return body;
    }
}
