package io.nexussync.app.admin;

import io.nexussync.app.service.StatusReport;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.ApplyQueue;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.postgres.slot.SlotHealth;
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
