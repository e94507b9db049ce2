package io.nexussync.app.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.service.SyncService;
import io.nexussync.core.fault.CircuitBreaker;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every meter of a running service on one registry, what {@code /metrics} serves: the pipeline's progress, lag and
 * commit-to-visible latency per lane, batch sizes, changes and failures by entity type, circuits and outage recovery,
 * the slot, verify, reverse sync and critical writes, JVM and process, build info. The one place that wires them, so the
 * service ({@code nexus-sync run}) and the test that checks the dashboard against {@code /metrics} see the same meters.
 * Owns one daemon thread that ticks the outage-recovery clock once a second.
 */
public final class ServiceMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceMetrics.class);

    private final PrometheusMeterRegistry registry;
    private final AutoCloseable gc;
    private final ScheduledExecutorService ticker;

    private ServiceMetrics(PrometheusMeterRegistry registry, AutoCloseable gc, ScheduledExecutorService ticker) {
        this.registry = registry;
        this.gc = gc;
        this.ticker = ticker;
    }

    /**
     * Registers the meters and hands the service its listeners; call before {@link SyncService#run()}.
     *
     * @param version the build's version and commit, for {@code nexus_sync_build_info} ({@code BuildInfo.current()})
     */
    public static ServiceMetrics start(SyncService service, String version, String commit) {
        Clock clock = Clock.systemUTC();
        var config = service.config();
        List<String> entityTypes = service.mapping().tables().stream().map(Object::toString).sorted().toList();
        PrometheusMeterRegistry registry = SyncMetrics.register(service.progress(), service::slotHealth, config.walWarnBytes());
        service.observeVisibility(SyncMetrics.lagRecorder(registry));
        service.observeApply(SyncMetrics.registerApply(registry, entityTypes));
        SyncMetrics.registerCatchUp(registry, service.progress(), config.admin().readyLag(), clock);
        SyncMetrics.registerCircuits(registry, service.circuits());
        service.verify().observe(SyncMetrics.registerVerify(registry, service.verify(), entityTypes));
        service.reverse().observe(SyncMetrics.registerReverse(registry, service.reverse(), clock));
        service.critical().observe(SyncMetrics.registerCritical(registry, service.critical(), clock));
        service.historyRetention().observe(SyncMetrics.registerHistoryRetention(registry, service.historyRetention().mapping()));
        SyncMetrics.registerBuildInfo(registry, version, commit);
        AutoCloseable gc = SyncMetrics.registerJvm(registry);
        OutageRecovery recovery = SyncMetrics.registerRecovery(registry, service.progress(),
                () -> service.circuits().stream().map(CircuitBreaker::status).toList(), config.admin().readyLag(), clock);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nexus-sync-metrics");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(() -> {
            try {
                recovery.tick(clock.instant());
            } catch (RuntimeException e) {
                // A metric must never stop the ticks (a scheduled task that throws is never run again).
                log.warn("outage-recovery metric: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        return new ServiceMetrics(registry, gc, ticker);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            gc.close();
        } catch (Exception e) {
            log.debug("closing the GC meters: {}", e.toString());
        }
        registry.close();
    }
}
