package io.nexussync.postgres.snapshot;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.snapshot.SnapshotSource;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
 * Tables are read by {@link PhysicalOrderScan}.
 */
public final class PgSnapshotSource implements SnapshotSource {
    private final PgSettings settings;
    private final Connection reader;
    private final Lsn consistentPoint;
    private final Map<TableId, TableLayout> layouts;
    private final Instant viewTakenNoLaterThan;

    private PgSnapshotSource(PgSettings settings, Connection reader, Lsn consistentPoint, Map<TableId, TableLayout> layouts,
                             Instant viewTakenNoLaterThan) {
        this.settings = settings;
        this.reader = reader;
        this.consistentPoint = consistentPoint;
        this.layouts = layouts;
        this.viewTakenNoLaterThan = viewTakenNoLaterThan;
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
                List<String> key = mapping.node(table).map(n -> n.keyColumns()).orElse(null);
                layouts.put(table, TableLayout.read(reader, table, key));
            }
            return new PgSnapshotSource(settings, reader, exported.consistentPoint(), layouts, exported.readBefore());
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
    public Instant viewTakenNoLaterThan() {
        return viewTakenNoLaterThan;
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
    public RowChunks scan(TableId table, int chunkSize) {
        return new PhysicalOrderScan(settings, reader, layouts.get(table), chunkSize);
    }

    @Override
    public Set<String> existingNodeIds(NodeMapping node, Collection<String> ids) {
        List<String> columns = node.keyColumns();
        Set<String> found = new HashSet<>();
        for (List<String> key : existingKeys(node.table(), columns, decode(ids, columns.size()))) {
            found.add(NodeIdentity.encode(key));
        }
        return found;
    }

    @Override
    public Set<RelationshipKey> existingPairs(RelationshipMapping relationship, Collection<RelationshipKey> pairs) {
        List<String> from = relationship.from().columns();
        List<String> to = relationship.to().columns();
        List<String> columns = new ArrayList<>(from);
        columns.addAll(to);
        List<List<String>> keys = new ArrayList<>(pairs.size());
        for (RelationshipKey pair : pairs) {
            List<String> key = new ArrayList<>(NodeIdentity.decode(pair.fromId(), from.size()));
            key.addAll(NodeIdentity.decode(pair.toId(), to.size()));
            keys.add(key);
        }
        Set<RelationshipKey> found = new HashSet<>();
        for (List<String> key : existingKeys(relationship.table(), columns, keys)) {
            found.add(new RelationshipKey(NodeIdentity.encode(key.subList(0, from.size())),
                    NodeIdentity.encode(key.subList(from.size(), key.size()))));
        }
        return found;
    }

    private static List<List<String>> decode(Collection<String> identities, int size) {
        List<List<String>> keys = new ArrayList<>(identities.size());
        identities.forEach(identity -> keys.add(NodeIdentity.decode(identity, size)));
        return keys;
    }

    /** Which of {@code keys} (text forms of {@code columns}) are in the table, as the text forms PostgreSQL gives back. */
    private List<List<String>> existingKeys(TableId table, List<String> columns, List<List<String>> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        TableLayout layout = layouts.get(table);
        String tuple = columns.stream().map(c -> quote(c)).collect(Collectors.joining(", "));
        String arrays = columns.stream().map(c -> "CAST(? AS " + layout.column(c).sqlType() + "[])").collect(Collectors.joining(", "));
        String sql = "SELECT " + columns.stream().map(c -> quote(c) + "::text").collect(Collectors.joining(", ")) + " FROM " + quote(table)
                + " WHERE (" + tuple + ") IN (SELECT * FROM unnest(" + arrays + "))";
        try (PreparedStatement ps = reader.prepareStatement(sql)) {
            for (int i = 0; i < columns.size(); i++) {
                int column = i;
                ps.setArray(i + 1, reader.createArrayOf("text", keys.stream().map(k -> k.get(column)).toArray()));
            }
            List<List<String>> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> key = new ArrayList<>(columns.size());
                    for (int i = 0; i < columns.size(); i++) {
                        key.add(rs.getString(i + 1));
                    }
                    found.add(key);
                }
            }
            return found;
        } catch (SQLException e) {
            throw PgErrors.translate("checking the keys of " + table, settings, e);
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
