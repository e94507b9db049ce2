package io.nexussync.core.verify;

/**
 * The precedence rules that settle a finding, the seed's third step. PostgreSQL owns existence and every core
 * property (the graph mirrors it); the graph owns its graph-only properties, which verify never compares or writes.
 * What neither side can vouch for (a temporal history PostgreSQL keeps no copy of) waits for a person.
 */
public final class RepairRules {
    public static final String POSTGRES_OWNS_CORE_DATA = "postgres-owns-core-data";
    public static final String POSTGRES_OWNS_EXISTENCE = "postgres-owns-existence";
    public static final String POSTGRES_OWNS_REFERENCES = "postgres-owns-references";
    public static final String HISTORY_HAS_NO_SECOND_SOURCE = "history-has-no-second-source";
    public static final String ROW_THE_GRAPH_CANNOT_HOLD = "row-the-graph-cannot-hold";
    public static final String PERSON = "person";

    /** @param reason for a finding that waits: what a person must decide, and how */
    public record Decision(Finding finding, RepairAction action, String rule, String reason) {
        public boolean waitsForPerson() {
            return reason != null;
        }
    }

    private RepairRules() {}

    public static Decision decide(Finding finding) {
        switch (finding.kind()) {
            case NODE_MISSING:
            case PROPERTY_MISSING:
            case PROPERTY_EXTRA:
            case LINK_MISSING:
            case LINK_EXTRA:
            case LINK_DUPLICATED:
            case RELATIONSHIP_MISSING:
            case RELATIONSHIP_DUPLICATED:
            case RELATIONSHIP_PROPERTY_DIFFERS:
                return new Decision(finding, RepairAction.REFRESH_FROM_ROW, POSTGRES_OWNS_CORE_DATA, null);
            case PROPERTY_DIFFERS:
                if (finding.properties().stream().anyMatch(p -> p.startsWith("("))) {
                    return new Decision(finding, RepairAction.NONE, ROW_THE_GRAPH_CANNOT_HOLD,
                            "the row holds a value the graph cannot take: fix the row (nexus-sync dlq list shows it), then verify again");
                }
                return new Decision(finding, RepairAction.REFRESH_FROM_ROW, POSTGRES_OWNS_CORE_DATA, null);
            case PG_ID_DIFFERS:
            case CROSS_REFERENCE_DIFFERS:
                return new Decision(finding, RepairAction.REFRESH_FROM_ROW, POSTGRES_OWNS_REFERENCES, null);
            case NODE_STRAY:
            case RELATIONSHIP_EXTRA:
            case HISTORY_OPEN_AFTER_DELETE:
                return new Decision(finding, RepairAction.DELETE_FROM_GRAPH, POSTGRES_OWNS_EXISTENCE, null);
            case NODE_UNIDENTIFIED:
                return new Decision(finding, RepairAction.DELETE_UNIDENTIFIED, POSTGRES_OWNS_EXISTENCE, null);
            case HISTORY_SEVERAL_OPEN:
            case HISTORY_INVERTED:
            case HISTORY_OVERLAP:
                return new Decision(finding, RepairAction.NONE, HISTORY_HAS_NO_SECOND_SOURCE,
                        "PostgreSQL keeps only the current row, so no rule can say which versions are true: `verify resolve ID --take graph`"
                                + " keeps them, `--take postgres` replaces the pair's history with its current row");
            default:
                throw new IllegalStateException("a finding kind without a rule: " + finding.kind());
        }
    }
}
