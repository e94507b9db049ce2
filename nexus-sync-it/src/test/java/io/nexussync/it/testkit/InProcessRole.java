package io.nexussync.it.testkit;

import io.nexussync.app.service.KafkaRoleService;
import java.util.concurrent.atomic.AtomicReference;

/** A Kafka role ({@code capture --to kafka} or {@code apply --from kafka}) as the CLI builds it, run on a thread of the test's JVM. */
public final class InProcessRole implements AutoCloseable {
    private final KafkaRoleService service;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private InProcessRole(KafkaRoleService service, String name) {
        this.service = service;
        thread = new Thread(() -> {
            try {
                service.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, name);
        thread.start();
    }

    public static InProcessRole start(KafkaRoleService service, String name) {
        return new InProcessRole(service, name);
    }

    /** Fails the test with the role's own error once it has stopped on one. */
    public void assertAlive() {
        if (failure.get() != null) {
            throw new AssertionError(thread.getName() + " failed", failure.get());
        }
    }

    @Override
    public void close() throws Exception {
        service.stop();
        thread.join(60_000);
        service.close();
        assertAlive();
    }
}
