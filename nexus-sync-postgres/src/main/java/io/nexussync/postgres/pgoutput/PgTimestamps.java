package io.nexussync.postgres.pgoutput;

import java.time.Instant;

/** PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00 UTC, not the Unix epoch. */
final class PgTimestamps {

    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private PgTimestamps() {}

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
