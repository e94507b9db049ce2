package io.nexussync.postgres.setup;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes existing tables fit for capture, idempotently: the sync columns the mapping names and the
 * table lacks (cross-reference, row version, graph version: a mapping that names none gets none), the
 * version trigger where there is a version column, and a replica identity that carries the mapping's
 * keys on DELETE.
 */
public final class TableAdoption {
    private static final Logger log = LoggerFactory.getLogger(TableAdoption.class);

    private TableAdoption() {}

    public static void adopt(Connection c, Mapping mapping) throws SQLException {
        adopt(c, mapping, Set.of());
    }

    /**
     * @param revertRefused tables whose refused changes are undone in PostgreSQL: they get {@code REPLICA IDENTITY FULL},
     *                      so that an UPDATE and a DELETE carry the whole old row the undo puts back
     */
    public static void adopt(Connection c, Mapping mapping, Set<TableId> revertRefused) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (TableId table : mapping.tables()) {
            if (!exists(c, table)) {
                missing.add(table.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw SyncException.persistent("the mapping names table(s) that do not exist: " + String.join(", ", missing)
                    + ": create them, or remove them from the mapping", null);
        }
        for (NodeMapping node : mapping.nodes()) {
            if (node.crossReferenceColumn() != null) {
                addColumn(c, node.table(), node.crossReferenceColumn(), "text");
            }
            if (node.versionColumn() != null) {
                addColumn(c, node.table(), node.versionColumn(), "bigint NOT NULL DEFAULT 1");
                Set<String> excluded = new LinkedHashSet<>();
                if (node.graphVersionColumn() != null) {
                    addColumn(c, node.table(), node.graphVersionColumn(), "bigint NOT NULL DEFAULT 0");
                    excluded.add(node.graphVersionColumn());
                }
                if (node.crossReferenceColumn() != null) {
                    excluded.add(node.crossReferenceColumn());
                }
                VersionTrigger.install(c, node.table(), node.versionColumn(), excluded);
            }
            ensureReplicaIdentity(c, node.table(), node.keyColumns(), revertRefused.contains(node.table()));
        }
        for (RelationshipMapping rel : mapping.relationships()) {
            if (rel.versionColumn() != null) {
                addColumn(c, rel.table(), rel.versionColumn(), "bigint NOT NULL DEFAULT 1");
                VersionTrigger.install(c, rel.table(), rel.versionColumn(), Set.of());
            }
            ensureReplicaIdentity(c, rel.table(), rel.keyColumns(), revertRefused.contains(rel.table()));
        }
    }

    private static boolean exists(Connection c, TableId table) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM pg_tables WHERE schemaname = ? AND tablename = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void addColumn(Connection c, TableId table, String column, String definition) throws SQLException {
        if (columns(c, table).contains(column)) {
            return;
        }
        execute(c, "ALTER TABLE " + quote(table) + " ADD COLUMN IF NOT EXISTS " + quote(column) + " " + definition);
        log.info("added sync column {}.{} ({})", table, column, definition);
    }

    /**
     * DEFAULT identity sends the primary key on DELETE; when the mapping keys on other columns, FULL is needed, and so it
     * is where refused changes are reverted (the old row of an UPDATE and a DELETE).
     */
    private static void ensureReplicaIdentity(Connection c, TableId table, List<String> keyColumns, boolean reverted) throws SQLException {
        Set<String> primaryKey = new LinkedHashSet<>();
        String identity;
        try (var ps = c.prepareStatement("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                + "WHERE i.indrelid = ?::regclass AND i.indisprimary")) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    primaryKey.add(rs.getString(1));
                }
            }
        }
        try (var ps = c.prepareStatement("SELECT relreplident FROM pg_class WHERE oid = ?::regclass")) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                identity = rs.getString(1);
            }
        }
        boolean keyIsPrimary = !primaryKey.isEmpty() && primaryKey.containsAll(keyColumns);
        if (reverted) {
            if (!"f".equals(identity)) {
                execute(c, "ALTER TABLE " + quote(table) + " REPLICA IDENTITY FULL");
            }
            log.info("replica identity of {} is FULL{}: its refused updates and deletes are reverted from the old row image "
                    + "(NEXUS_SYNC_REVERT_REFUSED names it; every UPDATE and DELETE of it now logs its whole old row)", table,
                    "f".equals(identity) ? "" : " (set now)");
            return;
        }
        if ("f".equals(identity) || ("d".equals(identity) && keyIsPrimary)) {
            return;
        }
        execute(c, "ALTER TABLE " + quote(table) + " REPLICA IDENTITY " + (keyIsPrimary ? "DEFAULT" : "FULL"));
        log.info("set replica identity of {} to {}", table, keyIsPrimary ? "DEFAULT (primary key)" : "FULL (the mapping keys on non-primary-key columns)");
    }

    static List<String> columns(Connection c, TableId table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns;
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
