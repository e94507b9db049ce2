package io.nexussync.core.acknowledge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what follows a graph commit (write-back, transaction log, acknowledgement) in commit order,
 * on an executor of its own, so that the next batch's graph work overlaps this batch's PostgreSQL
 * work. At most {@link #MAX_PENDING} committed batches wait; beyond that the apply loop waits too.
 * A failing step is logged and never stops the steps of later batches.
 */
public final class AfterCommitStage {
    static final int MAX_PENDING = 4;

    private static final Logger log = LoggerFactory.getLogger(AfterCommitStage.class);

    private final Executor executor;
    private final Semaphore pending = new Semaphore(MAX_PENDING);
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    public AfterCommitStage(Executor executor) {
        this.executor = executor;
    }

    /** Called from the apply loop only. */
    public void submit(Runnable work) throws InterruptedException {
        pending.acquire();
        last = last.thenRunAsync(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.error("a step after a graph commit failed; later batches go on: {}", e.getMessage(), e);
            } finally {
                pending.release();
            }
        }, executor);
    }

    /** Waits until everything submitted has run. */
    public void drain() throws InterruptedException {
        try {
            last.get();
        } catch (ExecutionException e) {
            log.error("a step after a graph commit failed: {}", e.getCause().getMessage(), e.getCause());
        }
    }
}
