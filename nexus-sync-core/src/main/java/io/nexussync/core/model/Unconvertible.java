package io.nexussync.core.model;

/**
 * A column value that has no Java (or Neo4j) form, such as an infinite timestamp, carried in place of the
 * value so that it costs only its row: the planner refuses a row that maps it to a property, and that row
 * becomes a dead letter; a column the mapping ignores does no harm.
 *
 * @param problem names the table, the column and the value
 */
public record Unconvertible(String problem) {}
