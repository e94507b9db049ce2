package io.nexussync.app.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.core.pipeline.SyncProgress;

/** Prometheus meters read from the pipeline's progress on each scrape, so the hot path never touches a meter. */
public final class SyncMetrics {
    private SyncMetrics() {}

    public static PrometheusMeterRegistry register(SyncProgress progress) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FunctionCounter.builder("nexus_sync_changes_applied", progress, SyncProgress::changesApplied)
                .description("row changes applied to the graph").register(registry);
        FunctionCounter.builder("nexus_sync_batches_applied", progress, SyncProgress::batchesApplied)
                .description("batches committed to the graph").register(registry);
        FunctionCounter.builder("nexus_sync_retries", progress, SyncProgress::retries)
                .description("failed attempts that were retried").register(registry);
        Gauge.builder("nexus_sync_last_batch_size", progress, p -> p.lastBatch() == null ? 0 : p.lastBatch().changes())
                .description("row changes in the last batch").register(registry);
        Gauge.builder("nexus_sync_last_batch_seconds", progress, p -> p.lastBatch() == null ? 0 : p.lastBatch().duration().toNanos() / 1e9)
                .description("time the last batch took, graph commit and write-back included").register(registry);
        Gauge.builder("nexus_sync_checkpoint_lsn", progress, p -> (double) p.checkpoint().committedEnd().value())
                .description("WAL position the graph has committed").register(registry);
        Gauge.builder("nexus_sync_streaming", progress, p -> p.state().equals("streaming") ? 1 : 0)
                .description("1 while streaming, 0 while starting, reconnecting or stopped").register(registry);
        return registry;
    }
}
