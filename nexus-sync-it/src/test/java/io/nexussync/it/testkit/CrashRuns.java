package io.nexussync.it.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/**
 * A crash test run again and again: {@code -D<property>.runs=N} runs (CI runs one), seeds from {@code -D<property>.seed}
 * on, each printed as {@code "<what> run i of N (seed s): clean"} and the total as {@code "<what> runs: k of N clean"}
 * (what the bench scripts count); fails listing the runs that were not clean.
 */
public final class CrashRuns {
    /** One run with its seed: the problems found by the checks afterwards, none when clean. */
    @FunctionalInterface
    public interface Run {
        List<String> problems(long seed) throws Exception;
    }

    private CrashRuns() {}

    /**
     * A run's problems with the transaction log's verdict on replays added ({@link ReplayCheck}: at least {@code kills}
     * batches, none re-applying what an earlier one committed) and, when there is any problem, where the service's log is.
     */
    public static List<String> concluded(SyncEnvironment env, int kills, List<String> problems, java.nio.file.Path log) throws Exception {
        try {
            ReplayCheck.assertNoBatchReappliedCommittedChanges(env, kills);
        } catch (AssertionError e) {
            problems.add("transaction log: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            problems.add("service log: " + log.toAbsolutePath());
        }
        return problems;
    }

    public static void repeat(String what, String property, long defaultSeed, String failure, Run run) throws Exception {
        int runs = Integer.getInteger(property + ".runs", 1);
        long firstSeed = Long.getLong(property + ".seed", defaultSeed);
        List<String> unclean = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long seed = firstSeed + i;
            List<String> problems = run.problems(seed);
            System.out.printf("%s run %d of %d (seed %d): %s%n", what, i + 1, runs, seed, problems.isEmpty() ? "clean" : problems.size() + " problem(s)");
            if (!problems.isEmpty()) {
                unclean.add("seed " + seed + ": " + problems.subList(0, Math.min(20, problems.size())));
            }
        }
        System.out.printf("%s runs: %d of %d clean%n", what, runs - unclean.size(), runs);
        assertThat(unclean).as(failure).isEmpty();
    }
}
