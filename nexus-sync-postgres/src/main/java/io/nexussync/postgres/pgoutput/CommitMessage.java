package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;

/** 'C': flags (unused by PostgreSQL so far), commit LSN, end LSN, commit time. */
final class CommitMessage {

    private CommitMessage() {}

    static CaptureEvent.Commit decode(PgOutputReader reader) {
        reader.int8("flags");
        Lsn commitLsn = Lsn.of(reader.int64("commit LSN"));
        Lsn endLsn = Lsn.of(reader.int64("end LSN"));
        long commitMicros = reader.int64("commit timestamp");
        return new CaptureEvent.Commit(commitLsn, endLsn, PgTimestamps.fromMicros(commitMicros));
    }
}
