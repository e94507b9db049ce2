package io.nexussync.bench;

import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A second pgoutput slot on the service's publication, created before a backlog is written so that a reference (the raw
 * writes, the Debezium peer, reading the backlog alone) gets the very changes the service had to apply.
 */
final class ReferenceSlot {
    private ReferenceSlot() {}

    /** Creates slot {@code name} in the service's database; returns the settings that read it. */
    static PgSettings create(PgSettings service, String name) throws SQLException {
        try (Connection c = PgConnections.open(service, "bench");
             PreparedStatement create = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, name);
            create.execute();
        }
        return new PgSettings(service.url(), service.user(), service.password(), name, service.publication());
    }

    /** Drops the slot once its reader has let go of it (a closed replication connection takes a moment to end on the server). */
    static void drop(PgSettings slot) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection c = PgConnections.open(slot, "bench");
             PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active");
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            drop.setString(1, slot.slot());
            exists.setString(1, slot.slot());
            while (true) {
                drop.execute();
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("slot " + slot.slot() + " is still in use 30 s after its reader stopped");
                }
                Thread.sleep(100);
            }
        }
    }
}
