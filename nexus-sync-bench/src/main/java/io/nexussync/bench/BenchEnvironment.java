package io.nexussync.bench;

import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The service configuration every benchmark runs with: its own embedded servers, a database, slot
 * and publication per run, and any other {@code NEXUS_SYNC_*} setting the benchmark's environment
 * holds, passed through as the service would read it ({@code NEXUS_SYNC_BATCH_SIZE=2000
 * bench/run-e2e.sh}). Keys the service does not know yet (such as {@code NEXUS_SYNC_APPLY_WORKERS})
 * are passed through too and ignored by {@link ConfigLoader} until it reads them.
 */
final class BenchEnvironment {
    /** What the benchmark decides itself: where the servers are, which slot, the built-in mapping. */
    private static final Set<String> OWNED = Set.of("NEXUS_SYNC_PG_URL", "NEXUS_SYNC_PG_USER", "NEXUS_SYNC_PG_PASSWORD",
            "NEXUS_SYNC_NEO4J_URI", "NEXUS_SYNC_NEO4J_USER", "NEXUS_SYNC_NEO4J_PASSWORD", "NEXUS_SYNC_NEO4J_DATABASE",
            "NEXUS_SYNC_SLOT", "NEXUS_SYNC_PUBLICATION", "NEXUS_SYNC_MAPPING");
    /** Read by the logging set-up and the CLI, not by the service configuration; the scripts set the first. */
    private static final Set<String> NOT_SETTINGS = Set.of("NEXUS_SYNC_LOG_LEVEL", "NEXUS_SYNC_DEBUG");

    private BenchEnvironment() {}

    /** Creates database {@code name} and returns the configuration of a service syncing it, as a first deployment sees it. */
    static SyncConfig freshDatabase(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, String name) throws SQLException {
        return ConfigLoader.load(null, freshEnvironment(postgres, neo4j, name));
    }

    /** Creates database {@code name} and returns the environment a service syncing it runs with (for a child JVM). */
    static Map<String, String> freshEnvironment(EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j, String name) throws SQLException {
        try (Connection admin = PgConnections.open(new PgSettings(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, "", null, null), "bench admin");
             Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        Map<String, String> environment = new HashMap<>();
        environment.put("NEXUS_SYNC_ADMIN_PORT", "-1");
        environment.putAll(passedThrough());
        environment.putAll(Map.of(
                "NEXUS_SYNC_PG_URL", postgres.jdbcUrl(name),
                "NEXUS_SYNC_PG_USER", EmbeddedPostgresServer.USER,
                "NEXUS_SYNC_NEO4J_URI", neo4j.boltUri(),
                "NEXUS_SYNC_SLOT", name + "_slot",
                "NEXUS_SYNC_PUBLICATION", name + "_pub"));
        return environment;
    }

    /**
     * Starts {@code nexus-sync run} in a JVM of its own with {@code jvmFlags}, this JVM's class path and {@code environment}
     * (from {@link #freshEnvironment}), its output appended to {@code log}.
     */
    static Process startServiceProcess(Map<String, String> environment, List<String> jvmFlags, Path log) throws IOException {
        return startProcess(environment, jvmFlags, log, "run");
    }

    /** {@code nexus-sync ARGS} (a role: {@code capture --to kafka}, {@code apply --from kafka}; a command) the same way. */
    static Process startProcess(Map<String, String> environment, List<String> jvmFlags, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.nexussync.app.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The {@code NEXUS_SYNC_*} settings taken from this JVM's environment, by name. */
    /** {@code count} content items of one new tenant, titled 'seeded'; their ids. */
    static List<String> insertContentItems(Connection c, int count) throws SQLException {
        List<String> items = new ArrayList<>(count);
        UUID tenant = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?, ?, ?, 'seeded')")) {
            for (int i = 0; i < count; i++) {
                UUID id = UUID.randomUUID();
                items.add(id.toString());
                ps.setObject(1, id);
                ps.setObject(2, tenant);
                ps.setObject(3, tenant);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return items;
    }

    static Map<String, String> passedThrough() {
        Map<String, String> settings = new TreeMap<>();
        System.getenv().forEach((key, value) -> {
            if (key.startsWith("NEXUS_SYNC_") && !OWNED.contains(key) && !NOT_SETTINGS.contains(key)) {
                settings.put(key, value);
            }
        });
        return settings;
    }

    /** For the reports: "NEXUS_SYNC_BATCH_SIZE=2000 NEXUS_SYNC_APPLY_WORKERS=4", or "none (defaults)". */
    static String describePassedThrough() {
        Map<String, String> settings = passedThrough();
        if (settings.isEmpty()) {
            return "none (defaults)";
        }
        StringBuilder out = new StringBuilder();
        settings.forEach((key, value) -> out.append(out.length() == 0 ? "" : " ").append(key).append('=').append(value));
        return out.toString();
    }

    /** For the reports: "Java 17.0.15, 2 CPUs, JVM flags -Xms1g -Xmx2g -XX:TieredStopAtLevel=1 (max heap 2,048 MiB)". */
    static String describeJvm() {
        String flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(flag -> !flag.startsWith("-Dbench.") && !flag.startsWith("-Djava.awt"))
                .collect(Collectors.joining(" "));
        return String.format("Java %s, %d CPUs, JVM flags %s (max heap %,d MiB)", System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(), flags.isEmpty() ? "none" : flags, Runtime.getRuntime().maxMemory() >> 20);
    }
}
