package io.nexussync.postgres.snapshot;

import static io.nexussync.postgres.setup.SqlNames.quote;

import io.nexussync.core.apply.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.plan.Mapping;
import io.nexussync.core.snapshot.SnapshotSource;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the mapped tables inside one REPEATABLE READ transaction that imported the snapshot the slot
 * exported when it was created: every read sees the database exactly as of the slot's consistent point.
 * Rows are read by {@link ChunkReader}.
 */
public final class PgSnapshotSource implements SnapshotSource {
    private final PgSettings settings;
    private final Connection reader;
    private final Lsn consistentPoint;
    private final Map<TableId, TableLayout> layouts;

    private PgSnapshotSource(PgSettings settings, Connection reader, Lsn consistentPoint, Map<TableId, TableLayout> layouts) {
        this.settings = settings;
        this.reader = reader;
        this.consistentPoint = consistentPoint;
        this.layouts = layouts;
    }

    /** Creates the slot (which must not exist) and opens a reader on the snapshot it exported. */
    public static PgSnapshotSource begin(PgSettings settings, Mapping mapping) {
        Connection reader = null;
        try (SlotSnapshot exported = SlotSnapshot.create(settings)) {
            reader = PgConnections.open(settings, "snapshot");
            reader.setAutoCommit(false);
            reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            reader.setReadOnly(true);
            try (var st = reader.createStatement()) {
                // The name is the server's own (e.g. 00000003-0000001B-1); quoted as a literal all the same.
                st.execute("SET TRANSACTION SNAPSHOT '" + exported.snapshotName().replace("'", "''") + "'");
            }
            Map<TableId, TableLayout> layouts = new HashMap<>();
            for (TableId table : mapping.tables()) {
                List<String> key = mapping.node(table).map(n -> List.of(n.keyColumn())).orElse(null);
                layouts.put(table, TableLayout.read(reader, table, key));
            }
            return new PgSnapshotSource(settings, reader, exported.consistentPoint(), layouts);
        } catch (SQLException e) {
            closeQuietly(reader);
            throw PgErrors.translate("starting the snapshot", settings, e);
        } catch (RuntimeException e) {
            closeQuietly(reader);
            throw e;
        }
    }

    @Override
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    @Override
    public long countRows(TableId table) {
        try (var st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quote(table))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw PgErrors.translate("counting " + table, settings, e);
        }
    }

    @Override
    public Chunk readChunk(TableId table, List<String> afterKey, int limit) {
        try {
            return ChunkReader.read(reader, layouts.get(table), null, afterKey, limit);
        } catch (SQLException e) {
            throw PgErrors.translate("reading " + table + " for the snapshot", settings, e);
        }
    }

    @Override
    public Set<String> existingNodeIds(TableId table, String keyColumn, Collection<String> ids) {
        TableLayout layout = layouts.get(table);
        String sql = "SELECT " + quote(keyColumn) + "::text FROM " + quote(table) + " WHERE " + quote(keyColumn)
                + " = ANY(CAST(? AS " + layout.column(keyColumn).sqlType() + "[]))";
        try (PreparedStatement ps = reader.prepareStatement(sql)) {
            ps.setArray(1, reader.createArrayOf("text", ids.toArray()));
            Set<String> found = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        } catch (SQLException e) {
            throw PgErrors.translate("checking " + table + " keys", settings, e);
        }
    }

    @Override
    public Set<RelationshipKey> existingPairs(TableId table, String fromColumn, String toColumn, Collection<RelationshipKey> pairs) {
        if (pairs.isEmpty()) {
            return Set.of();
        }
        TableLayout layout = layouts.get(table);
        String sql = "SELECT " + quote(fromColumn) + "::text, " + quote(toColumn) + "::text FROM " + quote(table)
                + " WHERE (" + quote(fromColumn) + ", " + quote(toColumn) + ") IN (SELECT * FROM unnest(CAST(? AS "
                + layout.column(fromColumn).sqlType() + "[]), CAST(? AS " + layout.column(toColumn).sqlType() + "[])))";
        try (PreparedStatement ps = reader.prepareStatement(sql)) {
            ps.setArray(1, reader.createArrayOf("text", pairs.stream().map(RelationshipKey::fromId).toArray()));
            ps.setArray(2, reader.createArrayOf("text", pairs.stream().map(RelationshipKey::toId).toArray()));
            Set<RelationshipKey> found = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new RelationshipKey(rs.getString(1), rs.getString(2)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw PgErrors.translate("checking " + table + " rows", settings, e);
        }
    }

    @Override
    public void close() {
        try {
            reader.rollback();
        } catch (SQLException ignored) {
            // closing anyway
        }
        closeQuietly(reader);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing left to do with it
            }
        }
    }
}
