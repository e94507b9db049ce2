package io.nexussync.bench.jmh;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.schedule.ChangeScheduler;
import io.nexussync.core.schedule.LaneClassifier;
import io.nexussync.core.schedule.ScheduledBatch;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning and coalescing: {@link GraphPlanner#plan} with the built-in mapping on one batch of 5,000
 * mixed changes of the contract workload (decoded by the product's decoder from pgoutput messages):
 * inserts, updates half of which hit 5 hot entities per table, deletes (cascaded link deletes
 * included), INCLUDES and TAGGED_WITH link churn. The score is changes planned per second; the second
 * benchmark puts the lane scheduler in front.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GraphPlannerBenchmark {
    static final int BATCH = 5_000;
    static final long SEED = 42;

    private GraphPlanner planner;
    private List<SourceChange> batch;

    @Setup(Level.Trial)
    public void setUp() {
        planner = new GraphPlanner(MappingLoader.builtIn());
        batch = MixedStream.changes(BATCH, SEED);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public GraphWritePlan planMixedBatch() {
        return planner.plan(batch);
    }

    /**
     * The scheduler in front of the planner: the 5,000 changes read into a {@link ChangeScheduler} (footprint,
     * lane, coalescing on arrival) and taken out again in lane order as batches of 500, each then planned.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int scheduleAndPlanMixedBatch() {
        ChangeScheduler scheduler = new ChangeScheduler(planner.mapping(), new LaneClassifier(planner.mapping(), 100_000));
        Instant readAt = Instant.EPOCH;
        for (int i = 0; i < batch.size(); i++) {
            scheduler.add(batch.get(i), i, readAt);
        }
        int steps = 0;
        for (ScheduledBatch next = scheduler.next(500, Long.MAX_VALUE, false); next != null; next = scheduler.next(500, Long.MAX_VALUE, false)) {
            steps += planner.plan(next.changes()).steps().size();
            scheduler.done(next);
        }
        return steps;
    }

    /** What the batch holds, for the report: change kinds per table, and how far the planner coalesces it. */
    static String describe() {
        List<SourceChange> changes = MixedStream.changes(BATCH, SEED);
        Map<String, Integer> counts = new TreeMap<>();
        for (SourceChange change : changes) {
            RowChange c = change.change();
            String kind = c instanceof RowChange.Insert i ? i.table().name() + " insert"
                    : c instanceof RowChange.Update u ? u.table().name() + " update"
                    : c instanceof RowChange.Delete d ? d.table().name() + " delete" : "truncate";
            counts.merge(kind, 1, Integer::sum);
        }
        GraphWritePlan plan = new GraphPlanner(MappingLoader.builtIn()).plan(changes);
        long transactions = changes.stream().map(SourceChange::txFinalLsn).distinct().count();
        StringBuilder out = new StringBuilder(String.format("%,d changes in %,d transactions, planned into %d steps: ", changes.size(), transactions,
                plan.steps().size()));
        counts.forEach((kind, n) -> out.append(kind).append(' ').append(n).append(", "));
        out.setLength(out.length() - 2);
        return out.toString();
    }
}
