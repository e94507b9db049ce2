package io.nexussync.app.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * What {@code nexus-sync demo} runs: embedded PostgreSQL and Neo4j, sample data and a live sync. It lives in
 * nexus-sync-demo, beside the embedded servers, and is found with {@link java.util.ServiceLoader}: the production
 * class path ({@code lib/}) carries neither, the demo's ({@code lib/} and {@code lib/demo/}) both.
 */
public interface Demo {
    /** The {@code demo} command's options. */
    record Options(int durationSeconds, int rate, int boltPort, int pgPort) {}

    /** Runs until {@code durationSeconds} (0: until Ctrl-C); {@code environment} as the CLI got it; returns the exit code. */
    int run(Options options, Map<String, String> environment, PrintStream out) throws Exception;
}
