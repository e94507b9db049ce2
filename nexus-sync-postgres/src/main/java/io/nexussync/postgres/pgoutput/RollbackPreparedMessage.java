package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/**
 * 'r' (protocol 3, two_phase): flags (unused), the end of the PREPARE record, the end of the ROLLBACK PREPARED record,
 * prepare time, rollback time, xid, global id. The prepare time is read past: the event needs only the rollback's.
 */
final class RollbackPreparedMessage {

    private RollbackPreparedMessage() {}

    static CaptureEvent.RollbackPrepared decode(PgOutputReader reader) {
        reader.int8("flags");
        Lsn prepareEndLsn = Lsn.of(reader.int64("prepare end LSN"));
        Lsn endLsn = Lsn.of(reader.int64("rollback end LSN"));
        reader.int64("prepare timestamp");
        long rollbackMicros = reader.int64("rollback timestamp");
        long xid = Integer.toUnsignedLong(reader.int32("xid"));
        String gid = reader.string("gid");
        return new CaptureEvent.RollbackPrepared(xid, prepareEndLsn, endLsn, PgTimestamps.fromMicros(rollbackMicros), gid);
    }
}
