package io.nexussync.app.cli;

import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.RoleAdmin;
import io.nexussync.app.service.KafkaRoleService;
import java.time.Duration;

/** Runs a service until it ends, stopping it (and waiting for it, up to a grace) when the JVM is asked to exit. */
final class StopOnExit {
    interface Run {
        void run() throws InterruptedException;
    }

    private StopOnExit() {}

    /** A Kafka role with its admin API (when {@code admin.port} is not -1), stopped with up to 30 s to commit what it holds. */
    static void runRole(KafkaRoleService service) throws InterruptedException {
        AdminServer admin = RoleAdmin.start(service);
        try {
            runUntilStopped(service::run, service::stop, Duration.ofSeconds(30));
        } finally {
            if (admin != null) {
                admin.close();
            }
        }
    }

    static void runUntilStopped(Run service, Runnable stop, Duration grace) throws InterruptedException {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                main.join(grace.toMillis());
            } catch (InterruptedException ignored) {
                // the JVM is going down either way
            }
        }, "nexus-sync-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        service.run();
    }
}
