package io.nexussync.postgres.setup;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Whether the mapped tables still exist. A dropped table leaves no trace in the WAL and a renamed one
 * leaves the publication with its new name, so only the catalog tells: the running service asks it
 * now and then, and stops rather than let a table fall silently out of the sync.
 */
public final class MappedTables {
    private MappedTables() {}

    /** The tables of {@code tables} that are no longer in the catalog under their mapped name. */
    public static List<TableId> missing(PgConnectionSource connections, Collection<TableId> tables) {
        List<TableId> missing = new ArrayList<>();
        try (Connection c = connections.connection();
             var ps = c.prepareStatement("SELECT to_regclass(quote_ident(?) || '.' || quote_ident(?)) IS NULL")) {
            for (TableId table : tables) {
                ps.setString(1, table.schema());
                ps.setString(2, table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        missing.add(table);
                    }
                }
            }
            return missing;
        } catch (SQLException e) {
            throw PgErrors.translate("checking the mapped tables", connections.settings(), e);
        }
    }

    public static SyncException droppedWhileStreaming(List<TableId> missing) {
        return SyncException.persistent("mapped table" + (missing.size() > 1 ? "s " : " ") + missing
                + " no longer exist" + (missing.size() > 1 ? "" : "s") + " (dropped or renamed while streaming): the graph keeps "
                + "what it had, but nothing of " + (missing.size() > 1 ? "them" : "it") + " can sync any more. Restore or rename it back, "
                + "or remove it from the mapping file, then start again (nexus-sync resync rebuilds the graph from the tables as they are)", null);
    }
}
