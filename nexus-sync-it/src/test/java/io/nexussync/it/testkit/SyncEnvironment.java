package io.nexussync.it.testkit;

import io.nexussync.app.config.AdminSettings;
import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.SyncService;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.model.Lsn;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.neo4j.Neo4jGraphOutbox;
import io.nexussync.neo4j.Neo4jTransactions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;

/**
 * A fresh database, slot and publication on the shared servers, an empty graph, and the sync
 * service running in this JVM (or the environment for one in a child JVM). One per test class.
 */
public final class SyncEnvironment implements AutoCloseable {
    /** The admin token every service this kit starts is configured with (NEXUS_SYNC_ADMIN_TOKEN). */
    public static final String ADMIN_TOKEN = "it-admin-token-0123456789abcdef";
    private final String database;
    private final Map<String, String> environment = new HashMap<>();
    private final Driver driver;
    private SyncService service;
    private Thread serviceThread;
    private final AtomicReference<Throwable> serviceFailure = new AtomicReference<>();
    private final EmbeddedPostgresServer postgres;

    private SyncEnvironment(String name, EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j) throws SQLException {
        this.database = name;
        this.postgres = postgres;
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "");
             Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        dropSlot(name + "_slot");
        driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none());
        // The nexus-sync plugin refuses a user's delete of mapped nodes once reverse rules are published, and the inner
        // transactions of CALL ... IN TRANSACTIONS do not carry the outer one's metadata: the rules go first, as the service
        // withdraws them (which makes the plugin read its rules again), then everything else.
        new Neo4jGraphOutbox(driver, null).withdraw();
        try (var session = driver.session()) {
            session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
                    Neo4jTransactions.config("test-reset")).consume();
        }
        environment.put("NEXUS_SYNC_PG_URL", postgres.jdbcUrl(name));
        environment.put("NEXUS_SYNC_PG_USER", "postgres");
        environment.put("NEXUS_SYNC_PG_PASSWORD", "");
        environment.put("NEXUS_SYNC_NEO4J_URI", neo4j.boltUri());
        environment.put("NEXUS_SYNC_NEO4J_USER", "");
        environment.put("NEXUS_SYNC_SLOT", name + "_slot");
        environment.put("NEXUS_SYNC_PUBLICATION", name + "_pub");
        environment.put("NEXUS_SYNC_ADMIN_PORT", "-1");
        environment.put("NEXUS_SYNC_ADMIN_TOKEN", ADMIN_TOKEN);
        // -Dnexus.it.batch-delay-ms=10 runs the tests with another batch window (ReverseCrashIT's races depend on it).
        environment.put("NEXUS_SYNC_BATCH_DELAY_MS", System.getProperty("nexus.it.batch-delay-ms", "20"));
        // Reverse sync is off unless a test turns it on (ReverseSyncIT): the other tests edit the graph behind the service's
        // back on purpose (drift for verify, corruption for repair), which reverse sync would carry into PostgreSQL.
        // -Dnexus.it.reverse-mode=auto runs the forward tests with reverse sync on, as a default deployment runs.
        environment.put("NEXUS_SYNC_REVERSE_MODE", System.getProperty("nexus.it.reverse-mode", "off"));
    }

    /** @param name lower-case, unique per test class: names the database, slot and publication */
    public static SyncEnvironment create(String name) throws SQLException {
        return new SyncEnvironment(name, TestServers.postgres(), TestServers.neo4j());
    }

    /** On servers of the test's own (one it restarts, for example) rather than the shared ones. */
    public static SyncEnvironment create(String name, EmbeddedPostgresServer postgres, EmbeddedNeo4jServer neo4j) throws SQLException {
        return new SyncEnvironment(name, postgres, neo4j);
    }

    private java.util.Set<String> tombstoneLabels = java.util.Set.of();

    public Map<String, String> environment() {
        return environment;
    }

    public SyncConfig config() {
        return ConfigLoader.load(null, environment);
    }

    /** The admin API as configured here (the default address, {@link #ADMIN_TOKEN}) on a free port, for an AdminServer a test starts. */
    public AdminSettings adminSettings() {
        AdminSettings configured = config().admin();
        return new AdminSettings(configured.bind(), 0, configured.token(), configured.readyLag());
    }

    /** A fresh environment, set up, with the service streaming: what most test classes start from. */
    public static SyncEnvironment streaming(String name) throws SQLException {
        SyncEnvironment env = create(name);
        env.setup();
        env.startService();
        return env;
    }

    /** Runs {@code nexus-sync setup} in-process: the reference tables, publication, slot, constraints. */
    public void setup() {
        try (SyncService s = new SyncService(config())) {
            s.setup();
        }
    }

    public void startService() {
        startService(UnaryOperator.identity());
    }

    /** @param writerDecorator wraps the service's graph writer, to observe what it writes */
    public void startService(UnaryOperator<GraphWriter> writerDecorator) {
        startService(writerDecorator, built -> { });
    }

    /** @param beforeRun given the service before it runs (to register its metrics and start an admin API, as {@code nexus-sync run} does) */
    public void startService(UnaryOperator<GraphWriter> writerDecorator, java.util.function.Consumer<SyncService> beforeRun) {
        service = new SyncService(config(), writerDecorator);
        beforeRun.accept(service);
        serviceThread = new Thread(() -> {
            try {
                service.run();
            } catch (Throwable t) {
                serviceFailure.set(t);
            }
        }, "sync-under-test");
        serviceThread.start();
    }

    public void stopService() throws InterruptedException {
        if (service != null) {
            service.stop();
            serviceThread.join(30_000);
            service.close();
            service = null;
        }
        if (serviceFailure.get() != null) {
            throw new AssertionError("the service failed", serviceFailure.get());
        }
    }

    public SyncService service() {
        return service;
    }

    /** Waits for the service started by {@link #startService()} to stop on its own with a failure, and returns it (then clears it). */
    public Throwable awaitServiceFailure(Duration atMost) throws InterruptedException {
        serviceThread.join(atMost.toMillis());
        if (serviceThread.isAlive()) {
            throw new AssertionError("the service was still running after " + atMost + " (state " + service.progress().stateName()
                    + ", last error " + service.progress().lastError() + ")");
        }
        Throwable failure = serviceFailure.getAndSet(null);
        if (failure == null) {
            throw new AssertionError("the service stopped without a failure");
        }
        service.close();
        service = null;
        return failure;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(database), "postgres", "");
    }

    public int sql(String sql, Object... parameters) throws SQLException {
        try (Connection c = connect()) {
            return execute(c, sql, parameters);
        }
    }

    /** One statement with its parameters on a connection the caller holds; returns the rows it changed. */
    public static int execute(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        }
    }

    public List<Map<String, Object>> query(String sql, Object... parameters) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    public List<Record> cypher(String query, Map<String, Object> parameters) {
        try (var session = driver.session()) {
            return session.run(query, parameters).list();
        }
    }

    public List<Record> cypher(String query) {
        return cypher(query, Map.of());
    }

    /**
     * Waits until at least {@code atLeast} Neo4j transactions wait for a lock (another transaction holds it), so a test can
     * pin the moment a writer is blocked; returns early once {@code done} (when given) has finished instead, a writer that
     * never had to wait. Fails after 30 s, saying what was waited for.
     */
    public void awaitBlockedTransactions(long atLeast, Future<?> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (done != null && done.isDone()) {
                return;
            }
            if (cypher("SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n").get(0).get("n").asLong() >= atLeast) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(what);
    }

    /** What a {@code nexus-sync} command run in-process printed, and its exit code. */
    public record CliRun(int exit, String out, String err) {}

    /** Runs {@code nexus-sync ARGS} in-process against this environment's servers, as a user would from a shell. */
    public CliRun cli(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int exit = io.nexussync.app.cli.NexusSyncCommand.execute(args, environment,
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Driver driver() {
        return driver;
    }

    /**
     * Waits until everything committed so far is in the graph: writes a marker into the WAL and waits
     * for the slot to be confirmed past it, which the service does only after the graph commit.
     */
    public void awaitCaughtUp(Duration atMost) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        // Until the initial snapshot is in the graph, the slot's position says nothing about the graph.
        while (graphCheckpoint() == 0) {
            if (serviceFailure.get() != null) {
                throw new AssertionError("the service failed", serviceFailure.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the initial snapshot did not finish within " + atMost);
            }
            Thread.sleep(50);
        }
        Lsn marker;
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_logical_emit_message(true, 'nexus-sync-test-marker', '')::text")) {
            rs.next();
            marker = Lsn.valueOf(rs.getString(1));
        }
        while (System.nanoTime() < deadline) {
            if (serviceFailure.get() != null) {
                throw new AssertionError("the service failed", serviceFailure.get());
            }
            Lsn confirmed = confirmedFlush();
            if (confirmed.isValid() && confirmed.compareTo(marker) > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the graph did not catch up with " + marker + " within " + atMost + " (slot at " + confirmedFlush() + ")");
    }

    /** The stream checkpoint the graph holds (0 before the initial snapshot has finished). */
    public long graphCheckpoint() {
        var rows = cypher("MATCH (c:`_SyncCheckpoint`) WHERE c.slot = $slot OR c.slot STARTS WITH $slot + '/worker-' "
                + "RETURN max(c.committedEnd) AS e", Map.of("slot", environment.get("NEXUS_SYNC_SLOT")));
        return rows.isEmpty() || rows.get(0).get("e").isNull() ? 0 : rows.get(0).get("e").asLong();
    }

    public Lsn confirmedFlush() throws SQLException {
        List<Map<String, Object>> rows = query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = ?", environment.get("NEXUS_SYNC_SLOT"));
        return rows.isEmpty() || rows.get(0).get("lsn") == null ? Lsn.INVALID : Lsn.valueOf((String) rows.get(0).get("lsn"));
    }

    public List<String> discrepancies() throws SQLException {
        try (Connection c = connect()) {
            return new GraphEquality(c, driver, tombstoneLabels).discrepancies();
        }
    }

    /**
     * For roles with no position in PostgreSQL to wait for (apply from Kafka): compares the graph with the database every
     * {@code every} until they agree or {@code atMost} has passed, and returns what still differs (empty: equal).
     */
    public List<String> awaitNoDiscrepancies(Duration atMost, Duration every) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        List<String> problems = discrepancies();
        while (!problems.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(every.toMillis());
            problems = discrepancies();
        }
        return problems;
    }

    /**
     * Syncs with the built-in mapping as a user's file that keeps tombstones for these labels ({@code tombstones: true});
     * {@link #discrepancies} then holds the graph to the tombstone rules too. A user's mapping file creates no table, so
     * {@link #setup} with the built-in mapping first (it creates the reference tables), then this, then setup again.
     */
    public void keepTombstones(String... labels) throws java.io.IOException {
        java.nio.file.Path mapping = java.nio.file.Files.createTempFile("tombstones-mapping", ".yaml");
        mapping.toFile().deleteOnExit();
        java.nio.file.Files.writeString(mapping, io.nexussync.testkit.BuiltInMappingText.withTombstones(labels));
        environment.put("NEXUS_SYNC_MAPPING", mapping.toString());
        tombstoneLabels = java.util.Set.of(labels);
    }

    private void dropSlot(String slot) throws SQLException {
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "");
             PreparedStatement ps = admin.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopService();
        } finally {
            driver.close();
            dropSlot(environment.get("NEXUS_SYNC_SLOT"));
            try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "");
                 Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }
}
