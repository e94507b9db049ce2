package io.nexussync.bench;

import io.nexussync.core.model.Lsn;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * "Everything written so far is in the graph", measured from PostgreSQL's side: a transactional
 * marker goes into the WAL after the writes, and the service confirms a slot position past it only
 * once the Neo4j transaction holding everything before it has committed.
 */
final class CatchUpWait {
    /** Prefix of the marker message; {@link WalReader} also stops at it. */
    static final String MARKER_PREFIX = "nexus-sync-bench-marker";

    private CatchUpWait() {}

    /** @return the marker's WAL position */
    static Lsn emitMarker(PgSettings settings) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench marker");
             PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, '')::text")) {
            ps.setString(1, MARKER_PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Lsn.valueOf(rs.getString(1));
            }
        }
    }

    /** Whether the service's slot is confirmed past {@code marker} now: everything before it is in the graph. */
    static boolean isConfirmedPast(PgSettings settings, Lsn marker) throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench catch-up check");
             PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, settings.slot());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null && Lsn.valueOf(rs.getString(1)).compareTo(marker) > 0;
            }
        }
    }

    /** Polls the service's slot every 10 ms (the timing resolution) until it is confirmed past {@code marker}. */
    static void await(PgSettings settings, Lsn marker, RunningService service, Duration atMost) throws SQLException, InterruptedException {
        await(settings, marker, service::checkAlive, atMost);
    }

    /** The same for a service this JVM does not hold: {@code checkAlive} throws when it has stopped. */
    static void await(PgSettings settings, Lsn marker, Runnable checkAlive, Duration atMost) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        try (Connection c = PgConnections.open(settings, "bench catch-up wait");
             PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, settings.slot());
            while (true) {
                checkAlive.run();
                Lsn confirmed = Lsn.INVALID;
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        confirmed = Lsn.valueOf(rs.getString(1));
                    }
                }
                if (confirmed.compareTo(marker) > 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the graph did not catch up with " + marker + " within " + atMost + " (slot at " + confirmed + ")");
                }
                Thread.sleep(10);
            }
        }
    }
}
