package io.nexussync.bench;

import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.SyncService;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.concurrent.atomic.AtomicReference;

/** The sync service on a thread of its own in this JVM, as the integration tests run it. */
final class RunningService implements AutoCloseable {
    private final SyncService service;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private RunningService(SyncConfig config, VisibilityListener visibility) {
        service = new SyncService(config, UnaryOperator.identity(), visibility);
        thread = new Thread(() -> {
            try {
                service.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "nexus-sync-service");
    }

    static RunningService start(SyncConfig config) {
        return start(config, VisibilityListener.NONE);
    }

    /** @param visibility told, on the apply thread, when each streamed change is visible in the graph */
    static RunningService start(SyncConfig config, VisibilityListener visibility) {
        RunningService running = new RunningService(config, visibility);
        running.thread.start();
        return running;
    }

    /** Waits until the pipeline streams, so that a live run does not time the service's start-up. */
    void awaitStreaming(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (service.progress().state() != ServiceState.STREAMING) {
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service did not start streaming within " + atMost + " (state " + service.progress().stateName() + ")");
            }
            Thread.sleep(10);
        }
    }

    /** Throws the service's failure, if it has stopped with one. */
    void checkAlive() {
        if (failure.get() != null) {
            throw new IllegalStateException("the sync service failed: " + failure.get().getMessage(), failure.get());
        }
    }

    SyncProgress progress() {
        return service.progress();
    }

    @Override
    public void close() throws InterruptedException {
        service.stop();
        thread.join(60_000);
        service.close();
        checkAlive();
    }
}
