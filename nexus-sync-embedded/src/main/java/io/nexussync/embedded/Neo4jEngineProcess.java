package io.nexussync.embedded;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * The child JVM of an {@link EmbeddedNeo4jServer}: the real Neo4j 5 engine serving Bolt on loopback without
 * authentication, on a class path of its own (the engine carries Jetty 12.0, the admin API Jetty 12.1).
 *
 * <p>Arguments: the store's home, the Bolt port and, for Bolt over TLS only, a folder holding {@code private.key} (PKCS#8
 * PEM) and {@code public.crt} (PEM). It answers each command on standard input with one line,
 * {@code ok} or {@code error <message>}: first for the start, then for {@code stop} and {@code start}; {@code exit}
 * or the end of standard input (the parent has gone, even by SIGKILL) shuts the engine down and ends the JVM.
 */
public final class Neo4jEngineProcess {
    private final Path home;
    private final int boltPort;
    private final Path tlsDirectory;
    private DatabaseManagementService service;

    private Neo4jEngineProcess(Path home, int boltPort, Path tlsDirectory) {
        this.home = home;
        this.boltPort = boltPort;
        this.tlsDirectory = tlsDirectory;
    }

    public static void main(String[] args) throws Exception {
        // Standard output carries the answers alone: whatever a library prints goes to standard error (the log file).
        PrintStream answers = System.out;
        System.setOut(System.err);
        Neo4jEngineProcess engine = new Neo4jEngineProcess(Path.of(args[0]), Integer.parseInt(args[1]),
                args.length > 2 ? Path.of(args[2]) : null);
        answer(answers, engine::start);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command = commands.readLine(); command != null && !command.equals("exit"); command = commands.readLine()) {
            if (command.equals("stop")) {
                answer(answers, engine::stop);
            } else if (command.equals("start")) {
                answer(answers, engine::start);
            } else {
                answers.println("error unknown command: " + command);
            }
        }
        engine.stop();
        System.exit(0);
    }

    private static void answer(PrintStream answers, Runnable action) {
        try {
            action.run();
            answers.println("ok");
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            answers.println("error " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    private void start() {
        if (service != null) {
            return;
        }
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
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
                .setConfig(BoltConnector.connection_keep_alive_streaming_scheduling_interval, Duration.ofSeconds(1));
        if (tlsDirectory != null) {
            // Bolt over TLS only, as a production server is configured (server.bolt.tls_level=REQUIRED, dbms.ssl.policy.bolt.*).
            SslPolicyConfig bolt = SslPolicyConfig.forScope(SslPolicyScope.BOLT);
            builder.setConfig(bolt.enabled, true)
                    .setConfig(bolt.base_directory, tlsDirectory.toAbsolutePath())
                    .setConfig(bolt.private_key, tlsDirectory.toAbsolutePath().resolve("private.key"))
                    .setConfig(bolt.public_certificate, tlsDirectory.toAbsolutePath().resolve("public.crt"))
                    .setConfig(bolt.client_auth, ClientAuth.NONE)
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.REQUIRED);
        }
        service = builder.build();
    }

    private void stop() {
        if (service != null) {
            service.shutdown();
            service = null;
        }
    }
}
