package io.nexussync.postgres.pgoutput;

/**
 * A column value whose text PostgreSQL sent but which has no faithful Java/Neo4j form, such as a
 * timestamp of {@code infinity}, or text that does not parse as its declared type.
 */
public class ValueConversionException extends RuntimeException {

    public ValueConversionException(String message) {
        super(message);
    }

    public ValueConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
