package io.nexussync.postgres.pgoutput;

/**
 * A pgoutput message the decoder cannot make sense of: unknown kind, a change for a relation it
 * was never told about, or a buffer that ends early. The stream cannot safely continue past it,
 * because skipping a message would silently lose a change.
 */
public class PgOutputException extends RuntimeException {

    public PgOutputException(String message) {
        super(message);
    }

    public PgOutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
