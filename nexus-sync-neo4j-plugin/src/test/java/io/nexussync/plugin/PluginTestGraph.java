package io.nexussync.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;

/**
 * One real Neo4j 5 engine in this JVM for all the plugin's tests, with the plugin loaded the way a server loads it (its
 * extension factory found through META-INF/services on the class path), the service's constraints and the rules the
 * service would publish for the built-in mapping.
 */
final class PluginTestGraph {
    static final ObjectMapper JSON = new ObjectMapper();
    private static PluginTestGraph shared;

    private final DatabaseManagementService dbms;
    final GraphDatabaseService db;
    /** The engine's user log, where the plugin says what it refused. */
    final RecordingLog log;

    private PluginTestGraph(DatabaseManagementService dbms, RecordingLog log) {
        this.dbms = dbms;
        this.log = log;
        this.db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    }

    static synchronized PluginTestGraph shared() {
        if (shared == null) {
            try {
                Path home = Files.createTempDirectory("nexus-sync-plugin-test");
                RecordingLog log = new RecordingLog();
                DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                        .setConfig(GraphDatabaseSettings.pagecache_memory, 64L * 1024 * 1024)
                        .setUserLogProvider(log)
                        .build();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    dbms.shutdown();
                    delete(home);
                }));
                shared = new PluginTestGraph(dbms, log);
                shared.constraints();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    private static void delete(Path home) {
        try (var paths = Files.walk(home)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: what is left is the system's to clear
        }
    }

    DatabaseManagementService dbms() {
        return dbms;
    }

    /** What Neo4jSchema creates for the outbox. */
    private void constraints() {
        try (Transaction tx = db.beginTx()) {
            tx.execute("CREATE CONSTRAINT nexus_sync_outbox_seq IF NOT EXISTS FOR (o:`_SyncOutbox`) REQUIRE o.seq IS UNIQUE");
            tx.execute("CREATE CONSTRAINT nexus_sync_outbox_sequence IF NOT EXISTS FOR (s:`_SyncOutboxSequence`) REQUIRE s.name IS UNIQUE");
            tx.commit();
        }
    }

    /** An empty graph holding only the rules the service publishes for the built-in mapping (in tests: Tags may be deleted, Threads not created). */
    void reset() {
        asService("test-reset", "MATCH (n) DETACH DELETE n");
        asService("config-publish", """
                CREATE (:`_SyncReverseNode` {label: 'ContentItem', idProperty: 'id', pgIdProperty: 'pgId', versionProperty: 'pgVersion',
                        graphVersionProperty: 'neo4jVersion', onDelete: 'refuse', create: true,
                        properties: ['title', 'contentType', 'accessLevel', 'viewCount', 'createdAt', 'updatedAt']})
                CREATE (:`_SyncReverseNode` {label: 'Tag', idProperty: 'id', pgIdProperty: 'pgId', versionProperty: 'pgVersion',
                        graphVersionProperty: 'neo4jVersion', onDelete: 'delete', create: true, properties: ['name']})
                CREATE (:`_SyncReverseNode` {label: 'Thread', idProperty: 'id', pgIdProperty: 'pgId', versionProperty: 'pgVersion',
                        graphVersionProperty: 'neo4jVersion', onDelete: 'refuse', create: false, properties: ['title', 'status']})
                CREATE (:`_SyncReverseRelationship` {type: 'INCLUDES', fromLabel: 'Thread', fromIdProperty: 'id', toLabel: 'ContentItem',
                        toIdProperty: 'id', versionProperty: 'version', temporal: true, properties: ['relevanceScore', 'position']})
                CREATE (:`_SyncReverseRelationship` {type: 'TAGGED_WITH', fromLabel: 'ContentItem', fromIdProperty: 'id', toLabel: 'Tag',
                        toIdProperty: 'id', versionProperty: 'pgVersion', temporal: false, properties: ['weight']})
                """);
    }

    /** A transaction of some graph user: no metadata. */
    void write(String cypher) {
        write(cypher, Map.of());
    }

    void write(String cypher, Map<String, Object> parameters) {
        try (Transaction tx = db.beginTx()) {
            tx.execute(cypher, parameters).close();
            tx.commit();
        }
    }

    void write(Consumer<Transaction> work) {
        try (Transaction tx = db.beginTx()) {
            work.accept(tx);
            tx.commit();
        }
    }

    /** A transaction of the service: the metadata the driver sends as TransactionConfig. */
    void asService(String purpose, String cypher) {
        try (Transaction tx = db.beginTx()) {
            ((InternalTransaction) tx).setMetaData(Map.of("nexus-sync", purpose));
            tx.execute(cypher).close();
            tx.commit();
        }
    }

    <T> T read(Function<Transaction, T> work) {
        try (Transaction tx = db.beginTx()) {
            return work.apply(tx);
        }
    }

    List<Map<String, Object>> rows(String cypher) {
        return rows(cypher, Map.of());
    }

    List<Map<String, Object>> rows(String cypher, Map<String, Object> parameters) {
        return read(tx -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            tx.execute(cypher, parameters).forEachRemaining(rows::add);
            return rows;
        });
    }

    Object value(String cypher) {
        List<Map<String, Object>> rows = rows(cypher);
        return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    }

    /** The outbox in seq order: each entry's edits, parsed. */
    List<JsonNode> outbox() {
        return rows("MATCH (o:`_SyncOutbox`) RETURN o.edits AS edits ORDER BY o.seq").stream().map(r -> parse((String) r.get("edits"))).toList();
    }

    List<Long> outboxSeqs() {
        return rows("MATCH (o:`_SyncOutbox`) RETURN o.seq AS seq ORDER BY seq").stream().map(r -> (Long) r.get("seq")).toList();
    }

    /** The one edit of the one outbox entry. */
    JsonNode onlyEdit() {
        List<JsonNode> outbox = outbox();
        if (outbox.size() != 1 || outbox.get(0).size() != 1) {
            throw new AssertionError("expected one outbox entry with one edit, found " + outbox);
        }
        return outbox.get(0).get(0);
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
