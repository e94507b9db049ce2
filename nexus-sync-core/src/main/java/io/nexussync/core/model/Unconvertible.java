package io.nexussync.core.model;

/**
 * A column value that has no Java (or Neo4j) form, such as an infinite timestamp, carried in place of the
 * value so that it costs only its row: the planner refuses a row that maps it to a property, and that row
 * becomes a dead letter; a column the mapping ignores does no harm.
 *
 * @param problem names the table, the column and its type, never the value: it may be shown to anyone
 * @param detail  the converter's words, which quote the value: for the log and the dead letter only (null: none)
 */
public record Unconvertible(String problem, String detail) {
    public Unconvertible(String problem) {
        this(problem, null);
    }
}
