package io.nexussync.core.plan;

/**
 * A relationship that a foreign-key column of a node table implies: at most one per row, to the
 * node the column points at. {@code (:Thread)-[:HAS_MESSAGE]->(:Message)} from {@code messages.thread_id}
 * is {@code column=thread_id, type=HAS_MESSAGE, parentLabel=Thread, parentToChild=true}.
 */
public record ParentLink(String column, String type, String parentLabel, boolean parentToChild) {}
