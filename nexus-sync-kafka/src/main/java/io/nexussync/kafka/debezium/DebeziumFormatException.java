package io.nexussync.kafka.debezium;

/**
 * A record that is not a Debezium PostgreSQL change event nexus-sync can read, or one whose values cannot be typed.
 * The message names the record's part (table, column, field) and the fix; it never quotes a column's value.
 */
public final class DebeziumFormatException extends IllegalArgumentException {

    public DebeziumFormatException(String message) {
        super(message);
    }

    public DebeziumFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
