package io.nexussync.app.admin;

import io.nexussync.app.components.StatusHistory;
import io.nexussync.app.service.StatusReport;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ApplyQueue;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.postgres.slot.SlotHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The body of {@code GET /status}: the running service's progress, queue, circuits, slot and snapshot, from memory. */
final class StatusView {
    private StatusView() {}

    static Map<String, Object> of(SyncProgress progress, List<CircuitBreaker> circuits, SlotHealth health, long walWarnBytes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", progress.stateName());
        body.put("graphCheckpoint", progress.checkpoint().committedEnd().toString());
        body.put("changesApplied", progress.changesApplied());
        body.put("batchesApplied", progress.batchesApplied());
        body.put("retries", progress.retries());
        body.put("deadLetters", Map.of("recordedSinceStart", progress.deadLettered(), "parkedSinceStart", progress.parked()));
        body.put("lastBatchAt", progress.lastBatchAt() == null ? null : progress.lastBatchAt().toString());
        body.put("lastError", progress.lastError());
        ApplyQueue queue = progress.queue();
        Map<String, Object> queueView = new LinkedHashMap<>();
        Map<String, Object> pending = new LinkedHashMap<>();
        for (Lane lane : Lane.values()) {
            pending.put(lane.yamlName(), queue.pendingByLane().getOrDefault(lane, 0L));
        }
        queueView.put("pendingByLane", pending);
        queueView.put("readAheadBytes", queue.pendingBytes());
        queueView.put("batchesInFlight", queue.batchesInFlight());
        queueView.put("batchSize", queue.batchSize());
        queueView.put("rangesAhead", queue.runsAhead());
        body.put("queue", queueView);
        body.put("circuits", circuits(circuits));
        if (health != null) {
            Map<String, Object> slotStatus = new LinkedHashMap<>();
            slotStatus.put("name", health.slot());
            slotStatus.put("readAt", health.readAt().toString());
            StatusReport.putSlot(slotStatus, health, walWarnBytes);
            body.put("slot", slotStatus);
        }
        SnapshotProgress snapshot = progress.snapshot();
        if (snapshot != null) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("phase", snapshot.phase());
            view.put("table", snapshot.table() == null ? null : snapshot.table().toString());
            view.put("rowsDone", snapshot.rowsDone());
            view.put("rowsTotal", snapshot.rowsTotal());
            view.put("rowsPerSecond", Math.round(snapshot.rowsPerSecond()));
            view.put("etaSeconds", snapshot.eta() == null || snapshot.isFinished() ? null : snapshot.eta().toSeconds());
            view.put("elapsedSeconds", snapshot.elapsed().toSeconds());
            body.put("snapshot", view);
        }
        return body;
    }

    /**
     * The body of {@code GET /status/history}: the window and interval in seconds and the samples, oldest first, each with
     * {@code at}, {@code state}, {@code changesApplied}, {@code changesPerSecond}, {@code pending} and {@code slotLagBytes}
     * (null before the slot monitor's first reading). No samples when the server was given no history.
     */
    static Map<String, Object> history(StatusHistory history) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("windowSeconds", history == null ? 0 : history.window().toSeconds());
        body.put("intervalSeconds", history == null ? 0 : history.interval().toMillis() / 1000.0);
        List<Map<String, Object>> samples = new ArrayList<>();
        if (history != null) {
            for (StatusHistory.Sample sample : history.samples()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("at", sample.at().toString());
                one.put("state", sample.state());
                one.put("changesApplied", sample.changesApplied());
                one.put("changesPerSecond", sample.changesPerSecond());
                one.put("pending", sample.pending());
                one.put("slotLagBytes", sample.slotLagBytes());
                samples.add(one);
            }
        }
        body.put("samples", samples);
        return body;
    }

    /** Per target: state, since (went down, or came back), lastError, nextProbeAt (while open), timesOpened. */
    static Map<String, Object> circuits(List<CircuitBreaker> circuits) {
        Map<String, Object> view = new LinkedHashMap<>();
        for (CircuitBreaker circuit : circuits) {
            CircuitBreaker.Status status = circuit.status();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("state", status.state().name());
            one.put("since", status.since().toString());
            one.put("lastError", status.lastError());
            one.put("nextProbeAt", status.nextProbeAt() == null ? null : status.nextProbeAt().toString());
            one.put("timesOpened", status.timesOpened());
            view.put(status.target(), one);
        }
        return view;
    }
}
