package io.nexussync.postgres.catalog;

import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the catalog of ordinary and partitioned tables from pg_catalog (system schemas and nexus-sync's own left out). */
public final class CatalogReader {
    private static final String USER_TABLES = "c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'nexus_sync') "
            + "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

    private CatalogReader() {}

    /** @param schemas the schemas to read; empty reads every user schema */
    /** Reads the catalog on a connection of its own (for {@code mapping check} and {@code mapping init}). */
    public static Catalog read(PgSettings settings, Collection<String> schemas) {
        try (Connection c = PgConnections.open(settings, "mapping")) {
            return read(c, schemas);
        } catch (SQLException e) {
            throw PgErrors.translate("reading the catalog", settings, e);
        }
    }

    public static Catalog read(Connection c, Collection<String> schemas) throws SQLException {
        String filter = schemas.isEmpty() ? "" : " AND n.nspname = ANY (?)";
        Map<Long, TableId> ids = new LinkedHashMap<>();
        Map<Long, List<Catalog.Column>> columns = new LinkedHashMap<>();
        Map<Long, Map<Integer, String>> numbers = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid, n.nspname, c.relname, a.attnum, a.attname, t.typname, "
                + "format_type(a.atttypid, a.atttypmod), t.typtype, e.typname, e.typtype, a.attndims, a.attnotnull "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                + "JOIN pg_type t ON t.oid = a.atttypid "
                + "LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A' "
                + "WHERE " + USER_TABLES + filter + " ORDER BY n.nspname, c.relname, a.attnum")) {
            bindSchemas(c, ps, schemas);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    ids.computeIfAbsent(oid, o -> {
                        try {
                            return new TableId(rs.getString(2), rs.getString(3));
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    String element = rs.getString(9);
                    String elementKind = rs.getString(10);
                    columns.computeIfAbsent(oid, o -> new ArrayList<>()).add(new Catalog.Column(rs.getString(5), rs.getString(6), rs.getString(7),
                            rs.getString(8).charAt(0), element, elementKind == null ? 0 : elementKind.charAt(0), rs.getInt(11), rs.getBoolean(12)));
                    numbers.computeIfAbsent(oid, o -> new TreeMap<>()).put(rs.getInt(4), rs.getString(5));
                }
            }
        }
        Map<Long, List<String>> primaryKeys = new LinkedHashMap<>();
        Map<Long, List<List<String>>> uniqueKeys = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT i.indrelid, i.indkey::text, i.indisprimary FROM pg_index i "
                + "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND " + USER_TABLES + filter
                + " ORDER BY i.indisprimary DESC, i.indexrelid")) {
            bindSchemas(c, ps, schemas);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    List<String> key = new ArrayList<>();
                    for (String n : rs.getString(2).trim().split("\\s+")) {
                        key.add(numbers.get(oid).get(Integer.parseInt(n)));
                    }
                    if (rs.getBoolean(3)) {
                        primaryKeys.put(oid, List.copyOf(key));
                    }
                    uniqueKeys.computeIfAbsent(oid, o -> new ArrayList<>()).add(List.copyOf(key));
                }
            }
        }
        Map<Long, List<Catalog.ForeignKey>> foreignKeys = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT k.conrelid, k.conname, k.conkey, k.confkey, fn.nspname, f.relname, "
                + "(SELECT array_agg(a.attname ORDER BY x.i) FROM unnest(k.confkey) WITH ORDINALITY AS x(num, i) "
                + "  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.num) "
                + "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace "
                + "WHERE k.contype = 'f' AND " + USER_TABLES + filter + " ORDER BY k.conrelid, k.conname")) {
            bindSchemas(c, ps, schemas);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    List<String> local = new ArrayList<>();
                    for (Object n : (Object[]) rs.getArray(3).getArray()) {
                        local.add(numbers.get(oid).get(((Number) n).intValue()));
                    }
                    List<String> referenced = new ArrayList<>();
                    for (Object n : (Object[]) rs.getArray(7).getArray()) {
                        referenced.add((String) n);
                    }
                    foreignKeys.computeIfAbsent(oid, o -> new ArrayList<>()).add(new Catalog.ForeignKey(rs.getString(2), List.copyOf(local),
                            new TableId(rs.getString(5), rs.getString(6)), List.copyOf(referenced)));
                }
            }
        }
        Map<TableId, Catalog.Table> tables = new LinkedHashMap<>();
        ids.forEach((oid, id) -> tables.put(id, new Catalog.Table(id, List.copyOf(columns.get(oid)),
                primaryKeys.getOrDefault(oid, List.of()), List.copyOf(uniqueKeys.getOrDefault(oid, List.of())),
                List.copyOf(foreignKeys.getOrDefault(oid, List.of())))));
        return new Catalog(tables);
    }

    private static void bindSchemas(Connection c, PreparedStatement ps, Collection<String> schemas) throws SQLException {
        if (!schemas.isEmpty()) {
            Array array = c.createArrayOf("text", schemas.toArray());
            ps.setArray(1, array);
        }
    }
}
