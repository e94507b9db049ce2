package io.nexussync.app.cli;

import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.config.SyncConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** What every command gets from outside: the environment and the two output streams (injected, so tests run the CLI in-process). */
public record CliContext(Map<String, String> environment, PrintStream out, PrintStream err) {
    public SyncConfig config(Path file) {
        return ConfigLoader.load(file, environment);
    }

    /** The configuration of a command that needs PostgreSQL only. */
    public SyncConfig postgresConfig(Path file) {
        return ConfigLoader.load(file, environment, false);
    }

    /** The configuration of a command that reads the graph only. */
    public SyncConfig neo4jConfig(Path file) {
        return ConfigLoader.loadNeo4jOnly(file, environment);
    }
}
