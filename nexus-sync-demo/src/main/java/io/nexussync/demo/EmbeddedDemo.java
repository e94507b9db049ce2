package io.nexussync.demo;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.ServiceAdmin;
import io.nexussync.app.admin.ServiceMetrics;
import io.nexussync.app.cli.Demo;
import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.service.SyncService;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.embedded.FreePort;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code nexus-sync demo}: an embedded PostgreSQL 17 (in this JVM) and Neo4j 5 (in a child JVM, on the engine's own
 * class path), the sync service and its admin API on the production class path, sample data and a live workload.
 */
public final class EmbeddedDemo implements Demo {

    @Override
    public int run(Options options, Map<String, String> environment, PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("nexus-sync-demo");
        out.println("Starting embedded PostgreSQL 17 and Neo4j 5 (first start unpacks binaries; a few seconds)...");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(null, available(options.pgPort()), "logical");
             EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(work.resolve("neo4j"), available(options.boltPort()))) {
            Map<String, String> env = new HashMap<>(environment);
            env.put("NEXUS_SYNC_PG_URL", postgres.jdbcUrl());
            env.put("NEXUS_SYNC_PG_USER", EmbeddedPostgresServer.USER);
            env.put("NEXUS_SYNC_PG_PASSWORD", "");
            env.put("NEXUS_SYNC_NEO4J_URI", neo4j.boltUri());
            env.put("NEXUS_SYNC_NEO4J_USER", "");
            env.putIfAbsent("NEXUS_SYNC_ADMIN_PORT", "0");
            if (!env.containsKey("NEXUS_SYNC_ADMIN_TOKEN") && !env.containsKey("NEXUS_SYNC_ADMIN_TOKEN_FILE")) {
                // A demo's own token, printed below, so that /backfill and /dlq can be tried (the API is on 127.0.0.1 only).
                byte[] random = new byte[16];
                new java.security.SecureRandom().nextBytes(random);
                env.put("NEXUS_SYNC_ADMIN_TOKEN", java.util.HexFormat.of().formatHex(random));
            }
            try (SyncService service = new SyncService(ConfigLoader.load(null, env));
                 AdminServer admin = ServiceAdmin.start(service, service.config().admin(), metricsOf(service))) {
                out.printf("%nLook for yourself while it runs:%n"
                                + "  psql:   psql -h localhost -p %d -U postgres postgres   (no password)%n"
                                + "  Bolt:   %s (no authentication), e.g. cypher-shell -a %s \"MATCH (t:Thread)-[:HAS_MESSAGE]->(m) RETURN t.title, count(m) LIMIT 5\"%n"
                                + "  console: http://127.0.0.1:%d/   (the web console; it asks for the token when it needs it)%n"
                                + "  admin:  http://127.0.0.1:%d/health  /status  /metrics  /verify; /backfill, /dlq, /conflicts and POST /verify need the token:%n"
                                + "          curl -H 'Authorization: Bearer %s' http://127.0.0.1:%d/dlq%n"
                                + "          curl -X POST -H 'Authorization: Bearer %s' http://127.0.0.1:%d/verify   (then: curl http://127.0.0.1:%d/verify)%n"
                                + "  graph to PostgreSQL: edit a title in the graph and see the row follow (reverse sync; mode and counts under \"reverse\" in /status):%n"
                                + "          cypher-shell -a %s \"MATCH (c:ContentItem) WITH c ORDER BY c.id LIMIT 1 SET c.title = 'edited in the graph' RETURN c.id\"%n"
                                + "          psql -h localhost -p %d -U postgres postgres -c \"SELECT id, title, pg_version, neo4j_version FROM content_items "
                                + "WHERE title = 'edited in the graph'\"%n"
                                + "          conflicts with the application's own writes: curl -H 'Authorization: Bearer %s' 'http://127.0.0.1:%d/conflicts?all=true'%n%n",
                        postgres.port(), neo4j.boltUri(), neo4j.boltUri(), admin.port(), admin.port(), token(env, environment), admin.port(),
                        token(env, environment), admin.port(), admin.port(), neo4j.boltUri(), postgres.port(), token(env, environment), admin.port());
                return new DemoRun(service, out, options.rate(), options.durationSeconds()).run();
            }
        } finally {
            deleteQuietly(work);
        }
    }

    private static String token(Map<String, String> env, Map<String, String> environment) {
        return env.containsKey("NEXUS_SYNC_ADMIN_TOKEN") && !environment.containsKey("NEXUS_SYNC_ADMIN_TOKEN")
                ? env.get("NEXUS_SYNC_ADMIN_TOKEN") : "<your NEXUS_SYNC_ADMIN_TOKEN>";
    }

    private static int available(int preferred) {
        try (var socket = new java.net.ServerSocket(preferred)) {
            return preferred;
        } catch (java.io.IOException e) {
            return FreePort.pick();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private static PrometheusMeterRegistry metricsOf(SyncService service) {
        // The service's own meters, as nexus-sync run has them (its daemon ticker ends with the demo's JVM).
        return ServiceMetrics.start(service, io.nexussync.app.build.BuildInfo.current().version(), io.nexussync.app.build.BuildInfo.current().commit()).registry();
    }
}
