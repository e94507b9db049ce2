package io.nexussync.postgres.setup;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.postgres.SqlNames;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The publication and the pgoutput slot, created when missing and completed when they lack a mapped table. */
public final class ReplicationObjects {
    private static final Logger log = LoggerFactory.getLogger(ReplicationObjects.class);

    private ReplicationObjects() {}

    public static void ensurePublication(Connection c, String publication, Set<TableId> tables) throws SQLException {
        boolean exists;
        try (var ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        String list = tables.stream().map(SqlNames::quote).collect(Collectors.joining(", "));
        if (!exists) {
            TableAdoption.execute(c, "CREATE PUBLICATION " + quote(publication) + " FOR TABLE " + list);
            log.info("created publication {} for {}", publication, tables);
            return;
        }
        Set<TableId> published = new HashSet<>();
        try (var ps = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        for (TableId table : tables) {
            if (!published.contains(table)) {
                TableAdoption.execute(c, "ALTER PUBLICATION " + quote(publication) + " ADD TABLE " + quote(table));
                log.info("added {} to publication {}", table, publication);
            }
        }
    }

    /**
     * True when the slot exists (and uses pgoutput). The slot itself is created by the initial snapshot,
     * which needs the snapshot that only a slot created on a replication connection exports.
     */
    public static boolean slotExists(Connection c, String slot) throws SQLException {
        try (var ps = c.prepareStatement("SELECT plugin FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                if (!"pgoutput".equals(rs.getString(1))) {
                    throw SyncException.persistent("replication slot '" + slot + "' exists but uses plugin '" + rs.getString(1)
                            + "', not pgoutput: drop it (SELECT pg_drop_replication_slot('" + slot + "')) or choose another NEXUS_SYNC_SLOT", null);
                }
                return true;
            }
        }
    }

    /** Drops the slot if it exists; the caller has made sure nobody streams from it. */
    public static boolean dropSlot(Connection c, String slot) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                boolean dropped = rs.next();
                if (dropped) {
                    log.info("dropped replication slot {}", slot);
                }
                return dropped;
            }
        }
    }
}
