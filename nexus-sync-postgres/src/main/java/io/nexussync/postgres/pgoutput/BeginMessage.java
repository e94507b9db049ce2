package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/** 'B': final LSN, commit time, xid. */
final class BeginMessage {

    private BeginMessage() {}

    static CaptureEvent.Begin decode(PgOutputReader reader) {
        Lsn finalLsn = Lsn.of(reader.int64("final LSN"));
        long commitMicros = reader.int64("commit timestamp");
        // xids are unsigned 32-bit on the wire
        long xid = Integer.toUnsignedLong(reader.int32("xid"));
        return new CaptureEvent.Begin(xid, finalLsn, PgTimestamps.fromMicros(commitMicros));
    }
}
