package io.nexussync.core.mapping;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a graph edit and a PostgreSQL change made to one property at the same time are settled (the seed's per-type
 * conflict resolution). The name is how a mapping file spells it.
 */
public enum ConflictRule {
    /** The later commit wins: the graph transaction's commit time against the row's (PostgreSQL's commit timestamp). */
    LAST_WRITER_WINS("last-writer-wins"),
    /** PostgreSQL's value stays (security and other columns PostgreSQL owns). */
    POSTGRES_WINS("postgres-wins"),
    /** The graph's value is written to the row. */
    GRAPH_WINS("graph-wins"),
    /** Neither is taken: PostgreSQL's value stays until a person decides ({@code conflicts resolve}). */
    MANUAL("manual");

    private final String spelling;

    ConflictRule(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    public static Optional<ConflictRule> parse(String text) {
        return Arrays.stream(values()).filter(r -> r.spelling.equals(text)).findFirst();
    }

    public static String spellings() {
        return String.join(", ", Arrays.stream(values()).map(ConflictRule::spelling).toList());
    }
}
