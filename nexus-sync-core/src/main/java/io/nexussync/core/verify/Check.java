package io.nexussync.core.verify;

/** The seed's four consistency checks: every finding belongs to one. */
public enum Check {
    /** Every row has its node (or relationship) and nothing of a mapped label or type lacks its row. */
    EXISTENCE,
    /** Every core property equals the mapping of its column; PG-only properties are absent. */
    ATTRIBUTE,
    /** Foreign-key and join-table relationships: present once, no extras, properties equal, history well formed. */
    RELATIONSHIP,
    /** {@code neo4j_node_id} is the node's elementId and {@code pgId} is the row's key. */
    REFERENCE;

    public String external() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
