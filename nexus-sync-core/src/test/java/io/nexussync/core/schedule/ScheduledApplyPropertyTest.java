package io.nexussync.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.CoalescingPropertyTest;
import io.nexussync.core.plan.CoalescingPropertyTest.FakeGraph;
import io.nexussync.core.plan.CoalescingPropertyTest.Op;
import io.nexussync.core.plan.CoalescingPropertyTest.PgSimulation;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * Lanes, coalescing on arrival and parallel workers must be invisible: whatever order the scheduler hands
 * batches out in, and whatever order the workers holding them commit in, the graph ends as it does when
 * every change is applied one by one in stream order. The change streams are ones PostgreSQL can produce
 * for the contract's schema (content items, tags, the links between them, cascading deletes); reading,
 * dispatching and committing interleave at random, as they do when the slot, the scheduler and the
 * workers run at their own pace.
 *
 * <p>A seeded property loop (as {@code CoalescingPropertyTest}): each try draws everything from
 * {@code new Random(seed)}, a failure names the seed, and {@link #checkSchedule(long)} replays it.
 */
class ScheduledApplyPropertyTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private final GraphPlanner planner = new GraphPlanner(MAPPING);

    static final int TRIES = 1_000;
    static final long BASE_SEED = 0x5C4E_D01E_1A4EL;

    @Test
    void anyScheduleLeavesTheGraphAsApplyingOneByOne() {
        forEachTry(this::checkSchedule);
    }

    void checkSchedule(long seed) {
        Random random = new Random(seed);
        List<Op> script = CoalescingPropertyTest.script(random);
        int batchSize = 1 + random.nextInt(6);
        int workers = 1 + random.nextInt(4);
        int rememberedImages = 1 + random.nextInt(8);
        try {
            checkSchedule(script, batchSize, workers, rememberedImages, random);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("property failed for seed=" + seed + " (batchSize=" + batchSize + ", workers=" + workers
                    + ", rememberedImages=" + rememberedImages + ", script=" + script + ")", e);
        }
    }

    private static void forEachTry(LongConsumer check) {
        Random seeds = new Random(BASE_SEED);
        for (int i = 0; i < TRIES; i++) {
            check.accept(seeds.nextLong());
        }
    }

    private void checkSchedule(List<Op> script, int batchSize, int workers, int rememberedImages, Random random) {
        List<RowChange> changes = new PgSimulation(false).changesFor(script);
        List<SourceChange> stream = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            stream.add(new SourceChange(changes.get(i), Lsn.of(0x100L * (i + 1)), T0.plusSeconds(i)));
        }
        FakeGraph oneByOne = FakeGraph.withTags();
        stream.forEach(change -> oneByOne.apply(planner.plan(List.of(change))));

        FakeGraph scheduled = FakeGraph.withTags();
        ChangeScheduler scheduler = new ChangeScheduler(MAPPING, new LaneClassifier(MAPPING, rememberedImages));
        List<ScheduledBatch> inFlight = new ArrayList<>();
        long applied = 0;
        int read = 0;
        while (read < stream.size() || !scheduler.isEmpty() || !inFlight.isEmpty()) {
            int action = random.nextInt(3);
            if (action == 0 && read < stream.size()) {
                assertThat(scheduler.add(stream.get(read), read, T0)).isTrue();
                read++;
            } else if (action == 1 && inFlight.size() < workers) {
                ScheduledBatch batch = scheduler.next(batchSize, Long.MAX_VALUE, random.nextInt(4) == 0);
                if (batch != null) {
                    inFlight.add(batch);
                }
            } else if (!inFlight.isEmpty()) {
                ScheduledBatch done = inFlight.remove(random.nextInt(inFlight.size()));
                scheduled.apply(planner.plan(done.changes()));
                scheduler.done(done);
                applied += done.size();
            }
        }

        assertThat(applied).as("every change applied exactly once").isEqualTo(stream.size());
        assertThat(scheduled.nodes).as("nodes; stream %s", changes).isEqualTo(oneByOne.nodes);
        assertThat(scheduled.relationships).as("relationships; stream %s", changes).isEqualTo(oneByOne.relationships);
    }
}
