package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.fault.CrashPoints;
import io.nexussync.it.testkit.ChildService;
import io.nexussync.it.testkit.CrashRuns;
import io.nexussync.it.testkit.IncludesChurn;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.it.testkit.ThreadContentAudit;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * History compaction against a service that dies: the service streams as a child JVM (small batches, every other run four
 * apply workers) while {@link IncludesChurn} updates, removes and includes again a few hot {@code thread_content} rows and an
 * audit trigger keeps every change with its commit time. Again and again the history is compacted up to a moment ago
 * ({@code history compact}, beside the service) while the service dies: SIGKILLed during the compaction, or halted before
 * it right after a graph commit ({@link CrashPoints#AFTER_GRAPH_COMMIT}) or right before an acknowledgement
 * ({@link CrashPoints#BEFORE_ACKNOWLEDGE}), so that the next start reads again, over the compacted history, changes the
 * graph already holds. After the last restart and
 * catch-up: the graph equals the database with no version applied twice, every version the graph holds is one a change
 * made (a version that ended before a cut may be gone), every as-of answer from the last cut on, at commits of the churn's
 * threads (just before, at and just after), is PostgreSQL's state then, and the transaction log shows no batch re-applying
 * what an earlier one committed (a pair whose whole history was compacted could otherwise take a replay back in unseen).
 *
 * <p>{@code -Dcompaction.crash.runs=N} repeats it with seeds from {@code compaction.crash.seed} on ({@code bench/run-compaction-crash.sh});
 * CI runs one.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class HistoryCompactionCrashIT {
    private static final int KILLS = 4;
    private static final int AS_OF_COMMITS = 40;
    /** One as-of answer in this many comes from the {@code history thread} command, the others in process (see {@link #asOfProblems}). */
    private static final int CLI_EVERY = 10;

    @Test
    void shouldNeverBringBackOrApplyTwiceWhatACompactionRemovedAcrossKills() throws Exception {
        CrashRuns.repeat("compaction crash", "compaction.crash", 3, "runs whose history differs from PostgreSQL's after the kills", this::oneRun);
    }

    private List<String> oneRun(long seed) throws Exception {
        Random random = new Random(seed);
        try (SyncEnvironment env = SyncEnvironment.create("compaction_crash")) {
            env.setup();
            ThreadContentAudit audit = ThreadContentAudit.install(env, "compaction_crash_audit");
            env.environment().put("NEXUS_SYNC_APPLY_WORKERS", seed % 2 == 0 ? "1" : "4");
            env.environment().put("NEXUS_SYNC_BATCH_SIZE", "50");
            Path log = ChildService.logFile("compaction-crash-" + seed);
            ChildService service = ChildService.start(env.environment(), log);
            env.awaitCaughtUp(Duration.ofSeconds(90));
            Instant lastCut;
            try (IncludesChurn churn = new IncludesChurn(env.config().postgres(), seed * 41, 3)) {
                lastCut = null;
                for (int i = 0; i < KILLS; i++) {
                    Thread.sleep(800 + random.nextInt(1_200));
                    Instant cut = Instant.now().minusMillis(200);
                    if (i % 2 == 0) {
                        // Killed while the compaction runs beside it.
                        CompletableFuture<SyncEnvironment.CliRun> compaction = CompletableFuture.supplyAsync(() -> compact(env, cut));
                        Thread.sleep(random.nextInt(300));
                        service.kill();
                        assertCompacted(compaction.join());
                    } else {
                        // This run halts right after a graph commit (or its log row), before its acknowledgement: the next start reads
                        // that batch's changes again over the history compacted meanwhile (the checkpoint must keep them out).
                        if (!service.waitFor(Duration.ofSeconds(60))) {
                            service.kill();
                        }
                        assertCompacted(compact(env, cut));
                    }
                    lastCut = cut;
                    Thread.sleep(random.nextInt(1_000));
                    Map<String, String> environment = new java.util.HashMap<>(env.environment());
                    if (i + 1 < KILLS && (i + 1) % 2 == 1) {
                        // Before its write-back and log row, or after them, before the acknowledgement (a logged batch read again).
                        String point = i == 0 ? CrashPoints.AFTER_GRAPH_COMMIT : CrashPoints.BEFORE_ACKNOWLEDGE;
                        environment.put(CrashPoints.VARIABLE, point + ":" + (1 + random.nextInt(20)));
                    }
                    service = ChildService.start(environment, log);
                }
                Thread.sleep(1_000);
                assertThat(churn.changes()).isGreaterThan(100);
                System.out.printf("compaction crash run (seed %d): %d thread_content churn changes%n", seed, churn.changes());
            }
            List<String> problems = new ArrayList<>();
            try {
                env.awaitCaughtUp(Duration.ofSeconds(180));
                env.awaitCaughtUp(Duration.ofSeconds(60));
                problems.addAll(env.discrepancies());
                for (Map<String, Object> row : env.query("SELECT id FROM threads WHERE title = 'churn'")) {
                    UUID thread = (UUID) row.get("id");
                    problems.addAll(asOfProblems(env, audit, thread, lastCut));
                    problems.addAll(versionProblems(env, audit, thread));
                }
            } finally {
                assertThat(service.terminate()).as("a SIGTERM drains and exits cleanly").isIn(0, 143);
            }
            return CrashRuns.concluded(env, KILLS, problems, log);
        }
    }

    private static SyncEnvironment.CliRun compact(SyncEnvironment env, Instant cut) {
        return env.cli("history", "compact", "--before", cut.toString(), "--json");
    }

    private static void assertCompacted(SyncEnvironment.CliRun run) {
        assertThat(run.exit()).as(run.err()).isZero();
    }

    /**
     * Every version the graph still holds is one the audit's changes made (its start, end, values and row version), once:
     * a version that ended before a cut may be gone, or written after the compaction by a stream that was behind the cut
     * (the next compaction removes it), but never altered or doubled by a replay.
     */
    private static List<String> versionProblems(SyncEnvironment env, ThreadContentAudit audit, UUID thread) throws Exception {
        java.util.Set<String> made = new java.util.HashSet<>();
        Map<String, String> open = new java.util.HashMap<>();
        for (ThreadContentAudit.Row row : audit.rows(thread)) {
            String previous = open.remove(row.content());
            if (previous != null) {
                made.add(previous + " to " + row.committed());
            }
            if (!row.op().equals("D")) {
                open.put(row.content(), row.content() + " v" + row.version() + " position=" + row.position() + " relevanceScore=" + row.relevance()
                        + " from " + row.committed());
            }
        }
        open.values().forEach(version -> made.add(version + " to open"));
        List<String> problems = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (var r : env.cypher("MATCH (:Thread {id: $id})-[r:INCLUDES]->(c:ContentItem) RETURN c.id AS c, r.version AS v, r.position AS p, "
                + "r.relevanceScore AS s, r.validFrom AS f, r.validTo AS t", Map.of("id", thread.toString()))) {
            Instant to = r.get("t").asZonedDateTime().toInstant();
            String version = r.get("c").asString() + " v" + r.get("v").asLong() + " position=" + r.get("p").asLong() + " relevanceScore="
                    + r.get("s").asDouble() + " from " + r.get("f").asZonedDateTime().toInstant() + " to " + (to.atZone(java.time.ZoneOffset.UTC).getYear() == 9999 ? "open" : to);
            if (!made.contains(version)) {
                problems.add("thread " + thread + ": a version no change made: " + version);
            }
            if (!seen.add(version)) {
                problems.add("thread " + thread + ": a version twice: " + version);
            }
        }
        return problems;
    }

    /**
     * Instants from the cut on at which the thread's rows changed (just before, at, just after; up to {@link #AS_OF_COMMITS}
     * commits spread over the whole stretch): as PostgreSQL had it. Every {@link #CLI_EVERY}-th answer is a CLI call; the rest
     * ask the same library call in process, as the command would (a CLI call each made this check a minute of CI).
     */
    private static List<String> asOfProblems(SyncEnvironment env, ThreadContentAudit audit, UUID thread, Instant cut) throws Exception {
        List<ThreadContentAudit.Row> changes = audit.rows(thread);
        List<Instant> instants = new ArrayList<>(List.of(cut));
        List<Instant> commits = new ArrayList<>(ThreadContentAudit.commits(changes).tailSet(cut, true));
        int step = Math.max(1, commits.size() / AS_OF_COMMITS);
        for (int i = 0; i < commits.size(); i += step) {
            Instant commit = commits.get(i);
            instants.add(commit.minus(1, ChronoUnit.MICROS));
            instants.add(commit);
            instants.add(commit.plus(1, ChronoUnit.MICROS));
        }
        List<String> problems = new ArrayList<>();
        ThreadContentAudit.AsOf inProcess = ThreadContentAudit.asOfInProcess(env);
        int asked = 0;
        for (Instant at : instants) {
            if (at.isBefore(cut)) {
                continue;
            }
            List<String> expected = ThreadContentAudit.describedStateAt(changes, at);
            // Every CLI_EVERY-th answer (the cut's first) through the real command; the others through the library call and
            // JSON view the command prints, without a CLI start (a configuration load and a Neo4j connection) for each.
            List<String> actual = asked++ % CLI_EVERY == 0 ? ThreadContentAudit.graphAsOf(env, thread, at) : inProcess.at(thread, at);
            if (!actual.equals(expected)) {
                problems.add("thread " + thread + " as of " + at + ": graph " + actual + ", PostgreSQL then " + expected);
            }
        }
        return problems;
    }
}
