package io.nexussync.app;

import io.nexussync.app.cli.NexusSyncCommand;

/** The executable's entry point: runs the CLI with the real environment and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = NexusSyncCommand.execute(args, System.getenv(), System.out, System.err);
        System.exit(code);
    }
}
