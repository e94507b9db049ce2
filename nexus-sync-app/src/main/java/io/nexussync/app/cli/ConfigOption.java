package io.nexussync.app.cli;

import io.nexussync.app.config.SyncConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option every command that talks to the servers shares (a picocli mixin). */
final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file; environment variables override it")
    Path file;

    SyncConfig load(CliContext context) {
        return context.config(file);
    }

    /** For commands that talk to PostgreSQL only: the Neo4j settings may be missing. */
    SyncConfig loadPostgres(CliContext context) {
        return context.postgresConfig(file);
    }

    /** For commands that read the graph only: the PostgreSQL settings may be missing. */
    SyncConfig loadNeo4j(CliContext context) {
        return context.neo4jConfig(file);
    }
}
