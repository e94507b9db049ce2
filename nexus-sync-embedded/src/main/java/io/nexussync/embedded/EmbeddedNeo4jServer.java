package io.nexussync.embedded;

import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * The real Neo4j 5 engine in this JVM, serving Bolt on loopback without authentication. It can be
 * stopped and started again on the same port and store, which is how tests take Neo4j away.
 */
public final class EmbeddedNeo4jServer implements AutoCloseable {
    private final Path home;
    private final int boltPort;
    private DatabaseManagementService service;

    private EmbeddedNeo4jServer(Path home, int boltPort) {
        this.home = home;
        this.boltPort = boltPort;
    }

    public static EmbeddedNeo4jServer start(Path home, int boltPort) {
        EmbeddedNeo4jServer server = new EmbeddedNeo4jServer(home, boltPort == 0 ? FreePort.pick() : boltPort);
        server.startAgain();
        return server;
    }

    public synchronized void startAgain() {
        if (service != null) {
            return;
        }
        service = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("localhost", boltPort))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                // The server announces keep-alive x probes to drivers as their read timeout (Neo4j's defaults: 1 min x 2),
                // and keeps a connection busy with a long request alive with NOOPs, checked every scheduling interval:
                // with 3 s x 2, checked every second, a client notices a frozen connection in about 6 s (NetworkFaultIT).
                .setConfig(BoltConnector.connection_keep_alive, Duration.ofSeconds(3))
                .setConfig(BoltConnector.connection_keep_alive_probes, 2)
                .setConfig(BoltConnector.connection_keep_alive_streaming_scheduling_interval, Duration.ofSeconds(1))
                .build();
    }

    public synchronized void stop() {
        if (service != null) {
            service.shutdown();
            service = null;
        }
    }

    public String boltUri() {
        return "bolt://localhost:" + boltPort;
    }

    public int boltPort() {
        return boltPort;
    }

    @Override
    public void close() {
        stop();
    }
}
