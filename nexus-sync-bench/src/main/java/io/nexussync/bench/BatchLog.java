package io.nexussync.bench;

import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The service's own record of its batches (nexus_sync.transaction_log), to read a latency figure by: how big, how long. */
final class BatchLog {
    private BatchLog() {}

    /** @return a sentence on the batches logged in [from, to) */
    static String between(PgSettings settings, Instant from, Instant to) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench");
             PreparedStatement ps = c.prepareStatement("SELECT count(*), coalesce(avg(changes), 0), "
                     + "coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms), 0), coalesce(max(duration_ms), 0) "
                     + "FROM nexus_sync.transaction_log WHERE kind = 'batch' AND logged_at >= ? AND logged_at < ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return String.format("%,d batches logged, %,.0f changes each on average, plan + apply + write-back p50 %,d ms, max %,d ms "
                        + "(nexus_sync.transaction_log)", rs.getLong(1), rs.getDouble(2), rs.getLong(3), rs.getLong(4));
            }
        }
    }
}
