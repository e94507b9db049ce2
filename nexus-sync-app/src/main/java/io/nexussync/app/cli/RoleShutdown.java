package io.nexussync.app.cli;

/** Runs a role until it ends, stopping it (and waiting for it, up to 30 s) when the JVM is asked to exit. */
final class RoleShutdown {
    interface Run {
        void run() throws InterruptedException;
    }

    private RoleShutdown() {}

    static void runUntilStopped(Run role, Runnable stop) throws InterruptedException {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                main.join(30_000);
            } catch (InterruptedException ignored) {
                // the JVM is going down either way
            }
        }, "nexus-sync-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        role.run();
    }
}
