package io.nexussync.postgres.slot;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nexus-sync teardown}: drops the slot (so PostgreSQL stops keeping WAL for it) and the
 * publication. Refuses while a consumer streams from the slot. Idempotent: what is already gone is
 * reported as such. Tables, their sync columns and trigger, the {@code nexus_sync} schema and the
 * graph are left as they are.
 */
public final class SlotTeardown {
    private static final Logger log = LoggerFactory.getLogger(SlotTeardown.class);

    /** @param removed one line per object dropped; {@code alreadyAbsent} one per object that was not there */
    public record Result(List<String> removed, List<String> alreadyAbsent) {}

    private SlotTeardown() {}

    public static Result run(PgSettings settings) {
        try (Connection c = PgConnections.open(settings, "teardown")) {
            List<String> removed = new ArrayList<>();
            List<String> absent = new ArrayList<>();
            SlotHealth slot = SlotHealthReader.read(c, settings.slot());
            if (!slot.exists()) {
                absent.add("replication slot '" + settings.slot() + "'");
            } else {
                if (slot.active()) {
                    throw inUse(c, settings.slot(), slot.activePid());
                }
                dropSlot(c, settings.slot());
                removed.add("replication slot '" + settings.slot() + "'" + (slot.lost() ? " (invalidated: " + slot.reason() + ")"
                        : slot.retainedWalBytes() != null ? " (it held " + Bytes.format(slot.retainedWalBytes()) + " of WAL)" : ""));
            }
            if (publicationExists(c, settings.publication())) {
                try (Statement st = c.createStatement()) {
                    st.execute("DROP PUBLICATION IF EXISTS " + quote(settings.publication()));
                }
                removed.add("publication '" + settings.publication() + "'");
            } else {
                absent.add("publication '" + settings.publication() + "'");
            }
            removed.forEach(r -> log.info("teardown dropped {}", r));
            return new Result(removed, absent);
        } catch (SQLException e) {
            throw PgErrors.translate("teardown", settings, e);
        }
    }

    private static void dropSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slot);
            ps.execute();
        } catch (SQLException e) {
            // A consumer connected between the check and the drop ("replication slot ... is active for PID n").
            if ("55006".equals(e.getSQLState())) {
                SlotHealth now = SlotHealthReader.read(c, slot);
                throw inUse(c, slot, now.activePid());
            }
            throw e;
        }
    }

    private static boolean publicationExists(Connection c, String publication) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Names the process that holds the slot, from pg_stat_replication (application name and client address). */
    private static SyncException inUse(Connection c, String slot, Integer pid) throws SQLException {
        String who = pid == null ? "a walsender" : "walsender PID " + pid;
        if (pid != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT application_name, coalesce(host(client_addr), 'local socket') FROM pg_stat_replication WHERE pid = ?")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        who += " ('" + rs.getString(1) + "' from " + rs.getString(2) + ")";
                    }
                }
            }
        }
        return SyncException.persistent("replication slot '" + slot + "' is in use by " + who + ": stop that consumer "
                + "(the nexus-sync service, with SIGTERM or Ctrl-C) and run teardown again. Nothing was removed.", null);
    }
}
