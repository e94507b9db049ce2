package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/** 'b' (protocol 3, two_phase): the PREPARE's LSN, the end of the PREPARE record, prepare time, xid, global id. */
final class BeginPrepareMessage {

    private BeginPrepareMessage() {}

    static CaptureEvent.BeginPrepare decode(PgOutputReader reader) {
        Lsn prepareLsn = Lsn.of(reader.int64("prepare LSN"));
        Lsn endLsn = Lsn.of(reader.int64("end LSN"));
        long prepareMicros = reader.int64("prepare timestamp");
        long xid = Integer.toUnsignedLong(reader.int32("xid"));
        String gid = reader.string("gid");
        return new CaptureEvent.BeginPrepare(xid, prepareLsn, endLsn, PgTimestamps.fromMicros(prepareMicros), gid);
    }
}
