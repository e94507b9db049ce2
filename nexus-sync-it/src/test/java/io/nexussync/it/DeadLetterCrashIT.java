package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.BackgroundWorkload;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.SyncEnvironment;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL at the two moments dead letters add to the exactly-once argument, on the real servers with the
 * service as a child JVM: right after a dead letter was written to PostgreSQL (before the graph commit that
 * counts its change as handled), and right after a {@code dlq retry} committed its release (before the service
 * applied it). A uniqueness constraint that only Neo4j has makes rows with a repeated title poison, under the
 * contract's workload on every table. Afterwards the titles are made unique, every dead letter is retried, and
 * the graph must equal the database, with each poisoned change recorded once (the position's unique key) and
 * no dead letter left open.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DeadLetterCrashIT {
    private static final int KILLS_AFTER_DEAD_LETTER = 3;
    private static final int KILLS_AFTER_RETRY = 2;

    @Test
    void shouldLoseNothingWhenKilledRightAfterDeadLetterWritesAndRetries() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letter_crash")) {
            env.setup();
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", "2");
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "50");
            env.cypher("CREATE CONSTRAINT crash_title_unique IF NOT EXISTS FOR (c:ContentItem) REQUIRE c.title IS UNIQUE");
            try {
                killAroundDeadLetters(env);
            } finally {
                env.cypher("DROP CONSTRAINT crash_title_unique IF EXISTS");
            }
        }
    }

    private static void killAroundDeadLetters(SyncEnvironment env) throws Exception {
        Path log = ChildService.logFile("dead-letter-crash");
        Random random = new Random(5);
        // The initial snapshot first: a poison row in the snapshot stops the service (README, Limits).
        ChildService first = ChildService.start(env.environment(), log);
        env.awaitCaughtUp(Duration.ofSeconds(120));
        try (BackgroundWorkload workload = new BackgroundWorkload(env.config().postgres(), 2, 23, 5);
             PoisonWriter poison = new PoisonWriter(env)) {
            for (int i = 0; i < KILLS_AFTER_DEAD_LETTER; i++) {
                ChildService child = i == 0 ? first : ChildService.start(env.environment(), log);
                long before = deadLetters(env);
                awaitOrFail(() -> deadLetters(env) > before, child, "a dead letter was recorded");
                child.kill();
            }
            for (int i = 0; i < KILLS_AFTER_RETRY; i++) {
                ChildService child = ChildService.start(env.environment(), log);
                awaitOrFail(() -> openHeads(env) > 0, child, "an open dead letter");
                Thread.sleep(random.nextInt(500));
                assertThat(dlq(env, "retry", "--all", "--by", "crash-test")).isZero();
                child.kill();
            }
            assertThat(poison.inserted()).isGreaterThan(20);
        }
        // The fix a person makes: every title unique. Then every dead letter retried until none is left open.
        env.sql("UPDATE content_items SET title = title || ' #' || id");
        ChildService last = ChildService.start(env.environment(), log);
        try {
            env.awaitCaughtUp(Duration.ofSeconds(120));
            for (int round = 0; round < 5 && openHeads(env) > 0; round++) {
                assertThat(dlq(env, "retry", "--all", "--by", "crash-test", "--reason", "titles made unique")).isZero();
                env.awaitCaughtUp(Duration.ofSeconds(60));
            }
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(openHeads(env)).as("dead letters still open; service log %s", log).isZero();
            assertThat(env.discrepancies()).as("graph vs database; service log %s", log).isEmpty();
        } finally {
            assertThat(last.terminate()).isIn(0, 143);
        }
        assertThat(env.query("SELECT count(*) AS n FROM nexus_sync.dead_letter").get(0).get("n")).as("dead letters recorded")
                .isNotEqualTo(0L);
        assertThat(env.cypher("MATCH (c:ContentItem) WITH c.pgId AS id, count(*) AS n WHERE n > 1 RETURN count(id) AS d")
                .get(0).get("d").asLong()).as("content items in the graph twice").isZero();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitOrFail(Condition condition, ChildService child, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.holds()) {
            assertThat(child.isAlive()).as("the service died on its own while waiting for %s", what).isTrue();
            assertThat(System.nanoTime()).as("waited 90 s for %s", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static long deadLetters(SyncEnvironment env) throws Exception {
        return (Long) env.query("SELECT count(*) AS n FROM nexus_sync.dead_letter").get(0).get("n");
    }

    private static long openHeads(SyncEnvironment env) throws Exception {
        return (Long) env.query("SELECT count(*) AS n FROM nexus_sync.dead_letter WHERE status = 'open'").get(0).get("n");
    }

    private static int dlq(SyncEnvironment env, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "dlq";
        System.arraycopy(args, 0, command, 1, args.length);
        SyncEnvironment.CliRun run = env.cli(command);
        System.out.print(run.out());
        System.err.print(run.err());
        return run.exit();
    }

    /** Inserts content items whose titles repeat (poison under the constraint) and updates them (changes that park). */
    private static final class PoisonWriter implements AutoCloseable {
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopping;
        private volatile long inserted;

        PoisonWriter(SyncEnvironment env) {
            thread = new Thread(() -> {
                Random random = new Random(3);
                UUID tenant = UUID.randomUUID();
                try (Connection c = env.connect();
                     PreparedStatement insert = c.prepareStatement("INSERT INTO content_items (tenant_id, project_id, title) VALUES (?, ?, ?)");
                     PreparedStatement update = c.prepareStatement("UPDATE content_items SET view_count = view_count + 1 "
                             + "WHERE title = ? AND tenant_id = ?")) {
                    while (!stopping) {
                        insert.setObject(1, tenant);
                        insert.setObject(2, tenant);
                        insert.setString(3, "poison " + random.nextInt(40));
                        insert.executeUpdate();
                        inserted++;
                        update.setString(1, "poison " + random.nextInt(40));
                        update.setObject(2, tenant);
                        update.executeUpdate();
                        Thread.sleep(20);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "poison-writer");
            thread.start();
        }

        long inserted() {
            return inserted;
        }

        @Override
        public void close() throws Exception {
            stopping = true;
            thread.join(30_000);
            if (failure.get() != null) {
                throw new AssertionError("the poison writer failed", failure.get());
            }
        }
    }
}
