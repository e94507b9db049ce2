package io.nexussync.it.testkit;

import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real PostgreSQL, one real Neo4j and one real Kafka broker per test JVM, started on first use and stopped when the JVM
 * exits. Test classes isolate themselves with a database, slot and publication of their own (on Kafka: topics of their own).
 */
public final class TestServers {
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedNeo4jServer neo4j;
    private static EmbeddedKafka kafka;

    private TestServers() {}

    public static synchronized EmbeddedPostgresServer postgres() {
        if (postgres == null) {
            postgres = EmbeddedPostgresServer.startLogical();
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close));
        }
        return postgres;
    }

    public static synchronized EmbeddedNeo4jServer neo4j() {
        if (neo4j == null) {
            try {
                Path home = Files.createTempDirectory("nexus-sync-it-neo4j");
                neo4j = EmbeddedNeo4jServer.start(home, 0);
                Runtime.getRuntime().addShutdownHook(new Thread(neo4j::close));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return neo4j;
    }

    public static synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            kafka = EmbeddedKafka.start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        }
        return kafka;
    }
}
