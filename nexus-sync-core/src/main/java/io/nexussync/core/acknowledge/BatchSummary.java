package io.nexussync.core.acknowledge;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphWritePlan;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one batch held, for its transaction-log row: the source changes counted by table and kind ({@code insert},
 * {@code update}, {@code delete}, {@code truncate}), and the graph rows its plan wrote counted by label or relationship type
 * and kind of write ({@code upsert}, {@code delete}, {@code link}, {@code version}, {@code close}, {@code truncate}).
 * Counted on the apply worker from the batch and the plan it holds anyway: no read, no row per entity.
 *
 * @param changes      table → kind → changes
 * @param graph        label or relationship type → kind of write → rows
 * @param deadLettered changes of the batch the graph refused (dead letters), when it went in parts
 * @param parked       changes of the batch parked behind a dead letter
 * @param consumed     for the apply role, the Kafka records the batch consumed, per partition ({@code topic/partition} →
 *                     {@code [from, next)} offsets); empty for the stream
 */
public record BatchSummary(Map<String, Map<String, Integer>> changes, Map<String, Map<String, Integer>> graph, int deadLettered, int parked,
                           Map<String, List<Long>> consumed) {
    public static final BatchSummary EMPTY = new BatchSummary(Map.of(), Map.of(), 0, 0, Map.of());

    public BatchSummary {
        changes = copy(changes);
        graph = copy(graph);
        consumed = java.util.Collections.unmodifiableMap(new TreeMap<>(consumed));
    }

    public BatchSummary(Map<String, Map<String, Integer>> changes, Map<String, Map<String, Integer>> graph, int deadLettered, int parked) {
        this(changes, graph, deadLettered, parked, Map.of());
    }

    /** With the offsets a batch of the apply role consumed ({@code topic/partition} → {@code [from, next)}). */
    public BatchSummary withConsumed(Map<String, List<Long>> offsets) {
        return new BatchSummary(changes, graph, deadLettered, parked, offsets);
    }

    /** The changes by table and kind, and, when {@code plan} is not null, the graph rows it writes. */
    public static BatchSummary of(List<SourceChange> changes, GraphWritePlan plan) {
        Map<String, Map<String, Integer>> byTable = new TreeMap<>();
        for (SourceChange change : changes) {
            RowChange row = change.change();
            if (row instanceof RowChange.Truncate truncate) {
                for (TableId table : truncate.tables()) {
                    add(byTable, table.toString(), kind(row), 1);
                }
            } else {
                add(byTable, RowChange.tableOf(row).toString(), kind(row), 1);
            }
        }
        Map<String, Map<String, Integer>> byGraph = new TreeMap<>();
        if (plan != null) {
            GraphCounter counter = new GraphCounter(byGraph);
            plan.steps().forEach(step -> step.accept(counter));
        }
        return new BatchSummary(byTable, byGraph, 0, 0);
    }

    public BatchSummary withIsolation(int deadLettered, int parked) {
        return new BatchSummary(changes, graph, deadLettered, parked, consumed);
    }

    /** A change's kind as the log names it. */
    public static String kind(RowChange change) {
        if (change instanceof RowChange.Insert) {
            return "insert";
        } else if (change instanceof RowChange.Update) {
            return "update";
        } else if (change instanceof RowChange.Delete) {
            return "delete";
        } else if (change instanceof RowChange.Truncate) {
            return "truncate";
        }
        throw RowChange.unhandled(change);
    }

    private static void add(Map<String, Map<String, Integer>> counts, String entity, String kind, int n) {
        if (n > 0) {
            counts.computeIfAbsent(entity, e -> new TreeMap<>()).merge(kind, n, Integer::sum);
        }
    }

    private static Map<String, Map<String, Integer>> copy(Map<String, Map<String, Integer>> counts) {
        Map<String, Map<String, Integer>> copy = new TreeMap<>();
        counts.forEach((entity, kinds) -> copy.put(entity, Map.copyOf(new TreeMap<>(kinds))));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** Rows per label or type and kind of write; every kind of step is counted (a new kind does not compile until it is). */
    private record GraphCounter(Map<String, Map<String, Integer>> counts) implements GraphStep.Visitor {
        @Override
        public void deleteNodes(GraphStep.DeleteNodes step) {
            add(counts, step.mapping().label(), "delete", step.ids().size());
        }

        @Override
        public void upsertNodes(GraphStep.UpsertNodes step) {
            add(counts, step.mapping().label(), "upsert", step.rows().size());
        }

        @Override
        public void linkParents(GraphStep.LinkParents step) {
            add(counts, step.link().type(), "link", step.rows().size());
        }

        @Override
        public void deleteRelationships(GraphStep.DeleteRelationships step) {
            add(counts, step.mapping().type(), "delete", step.keys().size());
        }

        @Override
        public void upsertRelationships(GraphStep.UpsertRelationships step) {
            add(counts, step.mapping().type(), "upsert", step.rows().size());
        }

        @Override
        public void temporalRound(GraphStep.TemporalRound step) {
            int closesOnly = (int) step.rows().stream().filter(GraphStep.TemporalRow::closesOnly).count();
            add(counts, step.mapping().type(), "close", closesOnly);
            add(counts, step.mapping().type(), "version", step.rows().size() - closesOnly);
        }

        @Override
        public void truncateNodes(GraphStep.TruncateNodes step) {
            add(counts, step.mapping().label(), "truncate", 1);
        }

        @Override
        public void truncateRelationships(GraphStep.TruncateRelationships step) {
            add(counts, step.mapping().type(), "truncate", 1);
        }

        @Override
        public void deleteUnidentifiedNodes(GraphStep.DeleteUnidentifiedNodes step) {
            add(counts, step.mapping().label(), "delete", step.elementIds().size());
        }

        @Override
        public void tombstoneNodes(GraphStep.TombstoneNodes step) {
            add(counts, step.mapping().label(), "tombstone", step.rows().size());
        }
    }
}
