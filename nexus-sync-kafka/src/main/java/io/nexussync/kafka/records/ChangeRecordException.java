package io.nexussync.kafka.records;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;

/**
 * A record value {@link ChangeRecordCodec#decode} cannot read: not JSON, a format version this build does not know, a
 * field missing or of the wrong shape, an unknown value tag. Reading it again gives the same answer, so it is never
 * retryable. The shown message names the field (and the column) and never quotes a value; the full one adds the
 * parser's own words, which may.
 */
public final class ChangeRecordException extends SyncException {

    ChangeRecordException(String message) {
        super(message, null, false);
    }

    /** @param detail what the record held there: in the full message only */
    ChangeRecordException(String message, String detail) {
        super(ErrorText.withDetail(message, detail), null, false);
    }

    ChangeRecordException(String message, Throwable cause) {
        super(ErrorText.withDetail(message, cause.getMessage()), cause, false);
    }
}
