package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/** 'P' (protocol 3, two_phase): flags (unused), the PREPARE's LSN, its end, prepare time, xid, global id. */
final class PrepareMessage {

    private PrepareMessage() {}

    static CaptureEvent.Prepare decode(PgOutputReader reader) {
        reader.int8("flags");
        Lsn prepareLsn = Lsn.of(reader.int64("prepare LSN"));
        Lsn endLsn = Lsn.of(reader.int64("end LSN"));
        long prepareMicros = reader.int64("prepare timestamp");
        long xid = Integer.toUnsignedLong(reader.int32("xid"));
        String gid = reader.string("gid");
        return new CaptureEvent.Prepare(xid, prepareLsn, endLsn, PgTimestamps.fromMicros(prepareMicros), gid);
    }
}
