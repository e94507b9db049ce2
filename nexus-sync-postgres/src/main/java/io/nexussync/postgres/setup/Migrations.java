package io.nexussync.postgres.setup;

import io.nexussync.postgres.PgSettings;
import org.flywaydb.core.Flyway;

/**
 * Versioned migrations: the bookkeeping schema {@code nexus_sync} always, and the ContextNexus
 * reference tables when the built-in mapping is used. Each keeps its history in {@code nexus_sync}.
 */
public final class Migrations {
    public static final String SCHEMA = "nexus_sync";

    private Migrations() {}

    public static void bookkeeping(PgSettings settings) {
        flyway(settings, "db/nexus-sync", "flyway_schema_history").migrate();
    }

    public static void contextNexusTables(PgSettings settings) {
        flyway(settings, "db/contextnexus", "contextnexus_schema_history").migrate();
    }

    private static Flyway flyway(PgSettings settings, String location, String historyTable) {
        return Flyway.configure()
                .dataSource(settings.url(), settings.user(), settings.password())
                .schemas(SCHEMA)
                .createSchemas(true)
                .table(historyTable)
                .locations("classpath:" + location)
                // The two histories share the schema, so neither may insist on finding it empty; version 0 keeps V1 pending.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }
}
