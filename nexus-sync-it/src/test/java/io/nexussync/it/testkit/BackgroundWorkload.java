package io.nexussync.it.testkit;

import io.nexussync.app.demo.ContextNexusWorkload;
import io.nexussync.postgres.PgSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Several application connections writing to all six tables at once until stopped. */
public final class BackgroundWorkload implements AutoCloseable {
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    public BackgroundWorkload(PgSettings settings, int connections, long seed, int pauseMillis) throws Exception {
        ContextNexusWorkload.SharedIds ids = new ContextNexusWorkload.SharedIds();
        try (ContextNexusWorkload seeder = new ContextNexusWorkload(settings, ids, seed)) {
            seeder.seedSample(50, 10, 10);
        }
        for (int i = 0; i < connections; i++) {
            ContextNexusWorkload app = new ContextNexusWorkload(settings, ids, seed + i + 1);
            Thread t = new Thread(() -> {
                try (app) {
                    while (!stopping) {
                        if (app.transaction()) {
                            transactions.incrementAndGet();
                        }
                        if (pauseMillis > 0) {
                            Thread.sleep(pauseMillis);
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "workload-" + i);
            workers.add(t);
            t.start();
        }
    }

    public long transactions() {
        return transactions.get();
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        for (Thread t : workers) {
            t.join(30_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("the workload failed", failure.get());
        }
    }
}
