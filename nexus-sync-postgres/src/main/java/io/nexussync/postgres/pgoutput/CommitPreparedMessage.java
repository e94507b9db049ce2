package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/** 'K' (protocol 3, two_phase): flags (unused), the COMMIT PREPARED's LSN, its end, commit time, xid, global id. */
final class CommitPreparedMessage {

    private CommitPreparedMessage() {}

    static CaptureEvent.CommitPrepared decode(PgOutputReader reader) {
        reader.int8("flags");
        Lsn commitLsn = Lsn.of(reader.int64("commit LSN"));
        Lsn endLsn = Lsn.of(reader.int64("end LSN"));
        long commitMicros = reader.int64("commit timestamp");
        long xid = Integer.toUnsignedLong(reader.int32("xid"));
        String gid = reader.string("gid");
        return new CaptureEvent.CommitPrepared(xid, commitLsn, endLsn, PgTimestamps.fromMicros(commitMicros), gid);
    }
}
