package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/** 'M': a {@code pg_logical_emit_message} call: flags, LSN, prefix, then a length-prefixed payload. */
final class LogicalMessage {

    private static final int TRANSACTIONAL = 1;

    private LogicalMessage() {}

    static CaptureEvent.Message decode(PgOutputReader reader) {
        int flags = reader.int8("flags");
        Lsn lsn = Lsn.of(reader.int64("LSN"));
        String prefix = reader.string("prefix");
        byte[] content = reader.bytes(reader.int32("content length"), "content");
        return new CaptureEvent.Message((flags & TRANSACTIONAL) != 0, lsn, prefix, content);
    }
}
