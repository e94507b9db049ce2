package io.nexussync.core.mapping;

import java.util.Map;
import java.util.Set;

/**
 * What a table's mapping says about edits made in the graph (its {@code reverse:} entry): which of its graph
 * properties flow back to PostgreSQL, how conflicts on them are settled, and whether entities created or deleted in
 * the graph become rows inserted or deleted.
 *
 * @param enabled      false: nothing made in the graph for this table flows back (the graph's edits are overwritten by
 *                     the row's next change, as before reverse sync existed)
 * @param toGraphOnly  columns whose graph property never flows back (direction {@code to-graph}); core columns of the
 *                     mapping otherwise flow both ways
 * @param defaultRule  the rule for a column without one of its own
 * @param columnRules  rules per column
 * @param create       an entity created in the graph inserts a row (a node without a key gets PostgreSQL's)
 * @param onDelete     what an entity deleted in the graph does
 */
public record ReverseRules(boolean enabled, Set<String> toGraphOnly, ConflictRule defaultRule, Map<String, ConflictRule> columnRules,
                           boolean create, DeletePolicy onDelete) {

    /** What a graph-side delete does. */
    public enum DeletePolicy {
        /** The graph transaction fails with a message saying to delete the row instead; PostgreSQL owns existence. */
        REFUSE("refuse"),
        /** The row is deleted. */
        DELETE("delete");

        private final String spelling;

        DeletePolicy(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }
    }

    /** A node table's default: core columns both ways, last writer wins, created nodes insert rows, deletes refused. */
    public static final ReverseRules NODE_DEFAULT = new ReverseRules(true, Set.of(), ConflictRule.LAST_WRITER_WINS, Map.of(), true, DeletePolicy.REFUSE);
    /** A join table's default: relationships created and deleted in the graph insert and delete rows. */
    public static final ReverseRules RELATIONSHIP_DEFAULT = new ReverseRules(true, Set.of(), ConflictRule.LAST_WRITER_WINS, Map.of(), true, DeletePolicy.DELETE);

    public ConflictRule rule(String column) {
        return columnRules.getOrDefault(column, defaultRule);
    }

    public boolean flowsBack(String column) {
        return enabled && !toGraphOnly.contains(column);
    }
}
