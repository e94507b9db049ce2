package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.fault.CrashPoints;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.CrashRuns;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.TemporalHistory;
import io.nexussync.it.testkit.TestServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Critical writes while the service is killed at each step of the two-phase path (halted right after it read a PREPARE,
 * right after the graph committed a critical write and its decision, just before and just after COMMIT/ROLLBACK
 * PREPARED; SIGKILL at random) and while Neo4j is stopped under it. The application keeps writing all along: critical
 * transactions (access levels, thread positions, inserts and deletes of content items, some the graph refuses) and
 * ordinary ones. Afterwards, checked from the outside:
 * <ul>
 *   <li>no transaction is left prepared;</li>
 *   <li>each critical transaction the application prepared ended the same on both sides: committed in PostgreSQL
 *       (pg_xact_status) exactly when the graph's decision is commit, and every one has a recorded outcome;</li>
 *   <li>the graph equals the database, history included (an audit trigger keeps PostgreSQL's own history of
 *       thread_content): nothing applied twice, nothing of a rolled-back transaction in the graph.</li>
 * </ul>
 * {@code -Dcritical.crash.runs=N} repeats it with seeds {@code critical.crash.seed}, +1, ... and counts clean runs
 * ({@code bench/run-critical-crash.sh}); CI runs one.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class CriticalCrashIT {
    private static final int ITEMS = 16;
    private static final int KILLS = Integer.getInteger("critical.crash.kills", 7);

    private enum Kill { HALT_AFTER_PREPARE_READ, HALT_AFTER_GRAPH_COMMIT, HALT_BEFORE_FINISH, HALT_AFTER_FINISH, SIGKILL, NEO4J_STOPPED }

    @Test
    void shouldEndEveryCriticalWriteTheSameOnBothSidesAcrossCrashesAndOutages() throws Exception {
        CrashRuns.repeat("critical crash", "critical.crash", 5, "runs whose two sides disagree after the crashes", this::oneRun);
    }

    private List<String> oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        try (SyncEnvironment env = SyncEnvironment.create("critical_crash")) {
            env.setup();
            Fixture fixture = new Fixture(seed);
            try (Connection c = env.connect()) {
                TemporalHistory.installAudit(c);
                fixture.seed(c);
            }
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "50");
            env.environment().put("NEXUS_SYNC_CRITICAL_TIMEOUT", "PT4S");
            Path log = ChildService.logFile("critical-crash-" + seed);
            ChildService first = ChildService.start(env.environment(), log);
            env.awaitCaughtUp(Duration.ofSeconds(120));
            first.kill();

            Application application = new Application(env, fixture, seed * 31);
            Thread applicationThread = new Thread(application, "application");
            applicationThread.start();
            Map<Kill, Integer> kills = new HashMap<>();
            try {
                for (int i = 0; i < KILLS; i++) {
                    Kill kill = Kill.values()[(int) ((i + seed) % Kill.values().length)];
                    kills.merge(kill, 1, Integer::sum);
                    crash(env, kill, random, log);
                }
            } finally {
                application.stop.set(true);
                applicationThread.join();
            }
            if (application.failure != null) {
                throw application.failure;
            }
            System.out.printf("critical crash run (seed %d): kills %s; %d critical transactions prepared (%d turned away by a lock "
                    + "a prepared one held), %d ordinary%n", seed, kills, application.prepared.size(), application.lockTimeouts.get(),
                    application.ordinary.get());
            assertThat(application.prepared.size()).isGreaterThan(10);

            ChildService last = ChildService.start(env.environment(), log);
            List<String> problems = new ArrayList<>();
            try {
                awaitNonePrepared(env, Duration.ofSeconds(90));
                env.awaitCaughtUp(Duration.ofSeconds(120));
                problems.addAll(env.discrepancies());
                problems.addAll(checkOutcomes(env, application.prepared));
            } finally {
                assertThat(last.terminate()).as("a SIGTERM drains and exits cleanly").isIn(0, 143);
            }
            if (!problems.isEmpty()) {
                problems.add("service log: " + log.toAbsolutePath());
            }
            return problems;
        }
    }

    private static void crash(SyncEnvironment env, Kill kill, Random random, Path log) throws Exception {
        Map<String, String> environment = new HashMap<>(env.environment());
        String point = switch (kill) {
            case HALT_AFTER_PREPARE_READ -> CrashPoints.CRITICAL_AFTER_PREPARE_READ;
            case HALT_AFTER_GRAPH_COMMIT -> CrashPoints.CRITICAL_AFTER_GRAPH_COMMIT;
            case HALT_BEFORE_FINISH -> CrashPoints.CRITICAL_BEFORE_FINISH;
            case HALT_AFTER_FINISH -> CrashPoints.CRITICAL_AFTER_FINISH;
            default -> null;
        };
        if (point != null) {
            environment.put(CrashPoints.VARIABLE, point + ":" + (1 + random.nextInt(6)));
        }
        // Down a while, as a real restart is: the application keeps preparing, and some of its transactions time out.
        Thread.sleep(300 + random.nextInt(1_500));
        ChildService child = ChildService.start(environment, log);
        if (kill == Kill.NEO4J_STOPPED) {
            Thread.sleep(2_000 + random.nextInt(3_000));
            TestServers.neo4j().stop();
            // Longer than critical.timeout: recovery cannot record a rollback without the graph, so nothing is decided meanwhile.
            Thread.sleep(5_000 + random.nextInt(2_000));
            TestServers.neo4j().startAgain();
            Thread.sleep(3_000 + random.nextInt(2_000));
            assertThat(child.isAlive()).as("the service died on its own during the outage; see %s", log).isTrue();
            child.kill();
        } else if (point == null) {
            Thread.sleep(2_000 + random.nextInt(4_000));
            assertThat(child.isAlive()).as("the service died on its own; see %s", log).isTrue();
            child.kill();
        } else if (!child.waitFor(Duration.ofSeconds(45))) {
            child.kill();
        }
    }

    private static void awaitNonePrepared(SyncEnvironment env, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (count(env, "SELECT count(*) AS n FROM pg_prepared_xacts") > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still prepared after " + atMost + ": " + env.query("SELECT gid, prepared FROM pg_prepared_xacts"));
            }
            Thread.sleep(100);
        }
    }

    /** PostgreSQL's truth (pg_xact_status of the transaction) against the graph's decision, for every critical transaction prepared. */
    private static List<String> checkOutcomes(SyncEnvironment env, List<Prepared> prepared) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<String, String> decisions = new HashMap<>();
        for (var r : env.cypher("MATCH (d:`_SyncDecision`) RETURN d.gid AS gid, d.outcome AS outcome")) {
            decisions.put(r.get("gid").asString(), r.get("outcome").asString());
        }
        int committed = 0;
        for (Prepared p : prepared) {
            String status = (String) env.query("SELECT pg_xact_status(?::text::xid8) AS s", Long.toString(p.xid8())).get(0).get("s");
            String decision = decisions.get(p.gid());
            List<Map<String, Object>> row = env.query("SELECT outcome, finished_at FROM nexus_sync.critical_transaction WHERE gid = ?", p.gid());
            if ("committed".equals(status)) {
                committed++;
            }
            // Every ending is decided in the graph first, a rollback too: a transaction without a decision was finished behind its back.
            if (decision == null || !"commit".equals(decision) && "committed".equals(status) || "commit".equals(decision) && !"committed".equals(status)) {
                problems.add(p.gid() + ": PostgreSQL " + status + " but the graph decided " + decision);
            }
            if (row.isEmpty() || !(("committed".equals(status) ? "commit" : "rollback").equals(row.get(0).get("outcome")))) {
                problems.add(p.gid() + ": PostgreSQL " + status + " but critical_transaction says " + (row.isEmpty() ? "nothing" : row.get(0)));
            }
        }
        System.out.printf("critical crash run: %d of %d critical transactions committed, the rest rolled back%n", committed, prepared.size());
        return problems;
    }

    private static long count(SyncEnvironment env, String sql) throws SQLException {
        return ((Number) env.query(sql).get(0).get("n")).longValue();
    }

    private record Prepared(String gid, long xid8) {}

    private static final class Fixture {
        final UUID tenant;
        final List<String> items = new ArrayList<>();
        final String thread;

        Fixture(long seed) {
            tenant = new UUID(seed, 1);
            for (int i = 0; i < ITEMS; i++) {
                items.add(new UUID(seed, 1_000 + i).toString());
            }
            thread = new UUID(seed, 3_000).toString();
        }

        void seed(Connection c) throws SQLException {
            for (String item : items) {
                SyncEnvironment.execute(c, "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES (?::uuid, ?, ?, 'seeded')",
                        item, tenant, tenant);
            }
            SyncEnvironment.execute(c, "INSERT INTO threads (id, tenant_id, project_id, title) VALUES (?::uuid, ?, ?, 'thread')", thread, tenant, tenant);
            for (int i = 0; i < 6; i++) {
                SyncEnvironment.execute(c, "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES (?::uuid, ?::uuid, 0.5, ?)",
                        thread, items.get(i), i);
            }
        }
    }

    /** The application: critical transactions (prepared, not waited for) and ordinary ones, until stopped. */
    private static final class Application implements Runnable {
        final SyncEnvironment env;
        final Fixture fixture;
        final Random random;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Prepared> prepared = new CopyOnWriteArrayList<>();
        final AtomicInteger ordinary = new AtomicInteger();
        final AtomicInteger lockTimeouts = new AtomicInteger();
        final List<String> created = new ArrayList<>();
        volatile Exception failure;
        private int counter;

        Application(SyncEnvironment env, Fixture fixture, long seed) {
            this.env = env;
            this.fixture = fixture;
            this.random = new Random(seed);
        }

        @Override
        public void run() {
            try (Connection c = env.connect(); Statement st = c.createStatement()) {
                // A prepared transaction keeps its row locks until the service finishes it: do not queue behind one for long.
                st.execute("SET lock_timeout = '300ms'");
                while (!stop.get()) {
                    c.setAutoCommit(false);
                    try {
                        boolean critical = random.nextInt(3) > 0;
                        int statements = 1 + random.nextInt(3);
                        for (int i = 0; i < statements; i++) {
                            st.execute(statement(critical));
                        }
                        if (critical) {
                            String gid = "nexus_sync:crash-" + counter++;
                            long xid8;
                            try (var rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
                                rs.next();
                                xid8 = rs.getLong(1);
                            }
                            st.execute("PREPARE TRANSACTION '" + gid + "'");
                            prepared.add(new Prepared(gid, xid8));
                        } else {
                            c.commit();
                            ordinary.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        c.rollback();
                        if (!"55P03".equals(e.getSQLState()) && !"40P01".equals(e.getSQLState())) {
                            throw e;
                        }
                        lockTimeouts.incrementAndGet();
                    } finally {
                        c.setAutoCommit(true);
                    }
                    Thread.sleep(random.nextInt(40));
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        private String statement(boolean critical) {
            String item = fixture.items.get(random.nextInt(fixture.items.size()));
            int kind = random.nextInt(critical ? 6 : 3);
            return switch (kind) {
                case 0 -> "UPDATE content_items SET view_count = view_count + 1 WHERE id = '" + item + "'";
                case 1 -> "UPDATE thread_content SET relevance_score = " + (random.nextInt(100) / 100.0) + " WHERE thread_id = '" + fixture.thread
                        + "' AND content_id = '" + fixture.items.get(random.nextInt(6)) + "'";
                case 2 -> "UPDATE content_items SET title = 'title " + random.nextInt(1000) + "' WHERE id = '" + item + "'";
                case 3 -> "UPDATE content_items SET access_level = '" + new String[] {"private", "project", "tenant"}[random.nextInt(3)]
                        + "' WHERE id = '" + item + "'";
                case 4 -> insertOrDelete();
                // A value the graph has no form for: the graph refuses the transaction, which must be rolled back everywhere.
                default -> random.nextInt(4) == 0 ? "UPDATE content_items SET updated_at = 'infinity' WHERE id = '" + item + "'"
                        : "UPDATE thread_content SET position = " + random.nextInt(50) + " WHERE thread_id = '" + fixture.thread
                        + "' AND content_id = '" + fixture.items.get(random.nextInt(6)) + "'";
            };
        }

        private String insertOrDelete() {
            if (!created.isEmpty() && random.nextBoolean()) {
                return "DELETE FROM content_items WHERE id = '" + created.remove(random.nextInt(created.size())) + "'";
            }
            String id = UUID.randomUUID().toString();
            created.add(id);
            return "INSERT INTO content_items (id, tenant_id, project_id, title) VALUES ('" + id + "', '" + fixture.tenant + "', '"
                    + fixture.tenant + "', 'critical insert')";
        }
    }
}
