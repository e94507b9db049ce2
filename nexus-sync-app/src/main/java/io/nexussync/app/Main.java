package io.nexussync.app;

import io.nexussync.app.cli.NexusSyncCommand;

/** The executable's entry point: runs the CLI with the real environment and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = NexusSyncCommand.execute(args, System.getenv(), System.out, System.err);
        // After Ctrl-C or SIGTERM the JVM is already exiting, and System.exit would block forever.
        if (!shutdownInProgress()) {
            System.exit(code);
        }
    }

    private static boolean shutdownInProgress() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
