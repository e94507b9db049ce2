package io.nexussync.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in this JVM: one KRaft node that is broker and controller at once (what {@code kafka-server-start.sh}
 * runs with {@code process.roles=broker,controller}), on loopback, with a fresh log directory that {@link #close()}
 * deletes. Internal topics have one replica, so transactions and consumer groups work on the single node. Topics are
 * never created by a producer or consumer: a test creates its own, as {@code setup --kafka} will in production.
 *
 * <p>nexus-sync-it shares one per test JVM (its TestServers); the Kafka benchmark starts its own.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path logDirectory;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path logDirectory, String bootstrapServers) {
        this.server = server;
        this.logDirectory = logDirectory;
        this.bootstrapServers = bootstrapServers;
    }

    public static EmbeddedKafka start() {
        long startedAt = System.nanoTime();
        Path logDirectory;
        try {
            logDirectory = Files.createTempDirectory("nexus-sync-it-kafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The controller's port goes into the voter list before anything binds it, so both ports are taken free ahead.
        // Another process could take one in between: the start then fails with a bind error naming the port (no retry).
        int brokerPort = freeLoopbackPort();
        int controllerPort = freeLoopbackPort();
        KafkaRaftServer server;
        try {
            KafkaConfig config = new KafkaConfig(brokerConfig(logDirectory, brokerPort, controllerPort), false);
            format(config, logDirectory);
            server = new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            deleteRecursively(logDirectory);
            throw e;
        }
        EmbeddedKafka kafka = new EmbeddedKafka(server, logDirectory, LOOPBACK + ":" + brokerPort);
        try {
            server.startup();
            kafka.awaitBrokerServing();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.info("EmbeddedKafka (KRaft, broker+controller) serving on {} after {} ms", kafka.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
        return kafka;
    }

    /** {@code host:port} of the broker's plaintext listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    private static Map<String, String> brokerConfig(Path logDirectory, int brokerPort, int controllerPort) {
        Map<String, Object> config = new HashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", NODE_ID);
        config.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        config.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", logDirectory.toString());
        config.put("auto.create.topics.enable", false);
        // one node: every internal topic with one replica, or transactions and consumer groups never become available
        config.put("offsets.topic.replication.factor", 1);
        config.put("transaction.state.log.replication.factor", 1);
        config.put("transaction.state.log.min.isr", 1);
        config.put("share.coordinator.state.topic.replication.factor", 1);
        config.put("share.coordinator.state.topic.min.isr", 1);
        // a few partitions instead of 50 each: creating the internal topics is most of a first transaction's wait
        config.put("offsets.topic.num.partitions", 2);
        config.put("transaction.state.log.num.partitions", 2);
        config.put("group.initial.rebalance.delay.ms", 0);
        config.put("log.cleaner.dedupe.buffer.size", 2 * 1024 * 1024L);
        // fewer threads than a production broker's defaults: the tests share two cores with PostgreSQL and Neo4j
        config.put("num.network.threads", 1);
        config.put("num.io.threads", 2);
        config.put("background.threads", 2);
        // as strings, the form a server.properties file gives: each key then parses as its own type (short, int, long)
        Map<String, String> asText = new HashMap<>();
        config.forEach((key, value) -> asText.put(key, String.valueOf(value)));
        return asText;
    }

    private static void format(KafkaConfig config, Path logDirectory) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDirectory.toString())
                    .setDirectories(List.of(logDirectory.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format the embedded Kafka's log directory " + logDirectory, e);
        }
    }

    /** The broker answers metadata requests only once it is unfenced: then it takes topics and transactions. */
    private void awaitBrokerServing() {
        Map<String, Object> adminConfig = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(adminConfig)) {
            int brokers = admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            if (brokers != 1) {
                throw new IllegalStateException("the embedded Kafka reports " + brokers + " brokers, expected 1");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka", e);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Kafka did not serve on " + bootstrapServers + " within "
                    + READY_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            deleteRecursively(logDirectory);
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete the embedded Kafka's log directory {}", directory, e);
        }
    }
}
