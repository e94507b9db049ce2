package io.nexussync.core.mapping;

import java.util.List;

/**
 * A relationship that a foreign key of a node table implies: at most one per row, to the node the
 * columns point at. {@code (:Thread)-[:HAS_MESSAGE]->(:Message)} from {@code messages.thread_id} is
 * {@code columns=[thread_id], type=HAS_MESSAGE, parentLabel=Thread, parentToChild=true}.
 *
 * @param columns          this table's columns holding the parent's key, in the parent's key order
 * @param parentIdProperty the parent label's identity property
 */
public record ParentLink(List<String> columns, String type, String parentLabel, boolean parentToChild, String parentIdProperty) {

    /** The parent's identity from a row, or null when a column is null or not known. */
    public String parentIdentity(java.util.Map<String, Object> row) {
        return NodeIdentity.of(row, columns);
    }
}
