package io.nexussync.core.verify;

/**
 * What one discrepancy is. Each kind belongs to one {@link Check}, and says in words what was found, without
 * any row value: findings reach the admin API, and a row's values are the application's data.
 */
public enum FindingKind {
    NODE_MISSING(Check.EXISTENCE, "the row has no node"),
    NODE_STRAY(Check.EXISTENCE, "the node has no row"),
    NODE_UNIDENTIFIED(Check.EXISTENCE, "a node of a mapped label has no identity property"),
    PROPERTY_DIFFERS(Check.ATTRIBUTE, "a core property differs from its column"),
    PROPERTY_MISSING(Check.ATTRIBUTE, "a core property is missing"),
    PROPERTY_EXTRA(Check.ATTRIBUTE, "a property no column backs is present (a PG-only column, or a null one)"),
    LINK_MISSING(Check.RELATIONSHIP, "the foreign key's relationship is missing"),
    LINK_EXTRA(Check.RELATIONSHIP, "a foreign-key relationship points at the wrong node"),
    LINK_DUPLICATED(Check.RELATIONSHIP, "the foreign key's relationship is there more than once"),
    RELATIONSHIP_MISSING(Check.RELATIONSHIP, "the join row has no relationship"),
    RELATIONSHIP_EXTRA(Check.RELATIONSHIP, "the relationship has no join row"),
    RELATIONSHIP_DUPLICATED(Check.RELATIONSHIP, "the relationship is there more than once"),
    RELATIONSHIP_PROPERTY_DIFFERS(Check.RELATIONSHIP, "a relationship property differs from its column"),
    HISTORY_OPEN_AFTER_DELETE(Check.RELATIONSHIP, "a temporal relationship is still open though its row is gone"),
    HISTORY_SEVERAL_OPEN(Check.RELATIONSHIP, "a temporal relationship has more than one open version"),
    HISTORY_INVERTED(Check.RELATIONSHIP, "a version of a temporal relationship ends before it begins"),
    HISTORY_OVERLAP(Check.RELATIONSHIP, "versions of a temporal relationship overlap"),
    CROSS_REFERENCE_DIFFERS(Check.REFERENCE, "neo4j_node_id is not the node's elementId"),
    PG_ID_DIFFERS(Check.REFERENCE, "pgId is not the row's key");

    private final Check check;
    private final String description;

    FindingKind(Check check, String description) {
        this.check = check;
        this.description = description;
    }

    public Check check() {
        return check;
    }

    public String description() {
        return description;
    }

    public String external() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static FindingKind fromExternal(String text) {
        return valueOf(text.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
