package io.nexussync.postgres.history;

import io.nexussync.core.history.RestorePlan;
import io.nexussync.core.history.RestorePlan.Action;
import io.nexussync.core.history.RestorePlan.CurrentRow;
import io.nexussync.core.history.RestorePlan.ItemRestore;
import io.nexussync.core.history.RestoreRefused;
import io.nexussync.core.history.SystemOfRecord;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A restore's one PostgreSQL transaction: the start node's row locked {@code FOR UPDATE} (which also holds off a concurrent
 * insert of its relationship rows, whose foreign key check needs a key-share lock on it), its relationship rows read
 * {@code FOR UPDATE}, the plan made from them, every end node the plan inserts checked to exist (and kept so, {@code FOR
 * KEY SHARE}), then deletes, updates and inserts as parameterised statements, each value cast to its column's type. Columns
 * the graph does not carry keep their values on update and get the table's defaults on insert; the row version is left to
 * PostgreSQL's trigger. A refusal or a failure rolls back: the whole plan or nothing.
 */
public final class PgSystemOfRecord implements SystemOfRecord {
    private final PgSettings settings;
    private final Mapping mapping;

    public PgSystemOfRecord(PgSettings settings, Mapping mapping) {
        this.settings = settings;
        this.mapping = mapping;
    }

    @Override
    public RestorePlan restore(RelationshipMapping relationship, String fromId, BiFunction<Set<String>, List<CurrentRow>, RestorePlan> planner,
                               boolean write) {
        try (Connection c = PgConnections.open(settings, "history restore")) {
            c.setAutoCommit(false);
            try {
                RestorePlan plan = restore(c, relationship, fromId, planner, write);
                if (write) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return plan;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PgErrors.translate("restoring the " + relationship.table() + " rows of " + fromId, settings, e);
        }
    }

    private RestorePlan restore(Connection c, RelationshipMapping r, String fromId, BiFunction<Set<String>, List<CurrentRow>, RestorePlan> planner,
                                boolean write) throws SQLException {
        Map<String, String> types = columnTypes(c, r.table());
        List<String> fromValues = NodeIdentity.decode(fromId, r.from().columns().size());
        if (!lockNode(c, r.from(), fromValues, types, "FOR UPDATE")) {
            throw new RestoreRefused("(:" + r.from().label() + " {" + r.from().idProperty() + ": " + fromId + "}) has no row in PostgreSQL now, so "
                    + "its " + r.table() + " rows cannot be written back: restore it first (its own row), then its relationships");
        }
        Map<String, String> restored = new LinkedHashMap<>();
        for (String column : types.keySet()) {
            if (r.isPropertyColumn(column) && !column.equals(r.versionColumn())) {
                restored.put(r.propertyName(column), column);
            }
        }
        RestorePlan plan = planner.apply(Set.copyOf(restored.keySet()), current(c, r, fromValues, types, restored));
        List<String> gone = new ArrayList<>();
        for (ItemRestore insert : plan.of(Action.INSERT)) {
            if (!lockNode(c, r.to(), NodeIdentity.decode(insert.toId(), r.to().columns().size()), types, "FOR KEY SHARE")) {
                gone.add(insert.toId());
            }
            insert.then().forEach((property, value) -> {
                if (value instanceof List<?>) {
                    throw new RestoreRefused(r.to().label() + " " + insert.toId() + ": " + property + " is a list, which a restore does not write "
                            + "back; restore that row by hand");
                }
            });
        }
        if (!gone.isEmpty()) {
            throw new RestoreRefused("the " + r.to().label() + " " + (gone.size() == 1 ? "node " : "nodes ") + String.join(", ", gone) + " of "
                    + fromId + " at " + plan.at() + " " + (gone.size() == 1 ? "has" : "have") + " no row in PostgreSQL now, so " + r.table()
                    + " cannot refer to " + (gone.size() == 1 ? "it" : "them") + " (foreign key): restore " + (gone.size() == 1 ? "it" : "them")
                    + " first, or restore to an instant after " + (gone.size() == 1 ? "it was" : "they were") + " removed from " + fromId
                    + "; nothing was written");
        }
        for (ItemRestore update : plan.of(Action.UPDATE)) {
            update.changed().forEach(property -> {
                if (update.then().get(property) instanceof List<?>) {
                    throw new RestoreRefused(r.to().label() + " " + update.toId() + ": " + property + " is a list, which a restore does not "
                            + "write back; restore that row by hand");
                }
            });
        }
        if (write) {
            apply(c, r, fromValues, plan, types, restored);
        }
        return plan;
    }

    private void apply(Connection c, RelationshipMapping r, List<String> fromValues, RestorePlan plan, Map<String, String> types,
                       Map<String, String> restored) throws SQLException {
        for (ItemRestore item : plan.items()) {
            List<String> columns = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            Map<String, Object> key = key(r, fromValues, item.toId());
            String sql;
            switch (item.action()) {
                case DELETE -> sql = "DELETE FROM " + SqlNames.quote(r.table()) + " WHERE " + where(key.keySet(), types);
                case UPDATE -> {
                    for (String property : item.changed()) {
                        columns.add(restored.get(property));
                        values.add(item.then().get(property));
                    }
                    sql = "UPDATE " + SqlNames.quote(r.table()) + " SET " + String.join(", ", columns.stream()
                            .map(col -> SqlNames.quote(col) + " = " + cast(col, types)).toList()) + " WHERE " + where(key.keySet(), types);
                }
                case INSERT -> {
                    columns.addAll(key.keySet());
                    values.addAll(key.values());
                    for (Map.Entry<String, String> property : restored.entrySet()) {
                        // Absent from the version: the column was null then.
                        columns.add(property.getValue());
                        values.add(item.then().get(property.getKey()));
                    }
                    sql = "INSERT INTO " + SqlNames.quote(r.table()) + " (" + String.join(", ", columns.stream().map(SqlNames::quote).toList())
                            + ") VALUES (" + String.join(", ", columns.stream().map(col -> cast(col, types)).toList()) + ")";
                }
                default -> throw new IllegalStateException("unknown restore action " + item.action());
            }
            try (PreparedStatement st = c.prepareStatement(sql)) {
                int i = 1;
                if (item.action() != Action.INSERT) {
                    for (Object value : values) {
                        st.setString(i++, text(value));
                    }
                    for (Object value : key.values()) {
                        st.setString(i++, text(value));
                    }
                } else {
                    for (Object value : values) {
                        st.setString(i++, text(value));
                    }
                }
                st.executeUpdate();
            }
        }
    }

    /** The relationship row's key columns and their text: the start node's, then the end node's. */
    private static Map<String, Object> key(RelationshipMapping r, List<String> fromValues, String toId) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int i = 0; i < r.from().columns().size(); i++) {
            key.put(r.from().columns().get(i), fromValues.get(i));
        }
        List<String> toValues = NodeIdentity.decode(toId, r.to().columns().size());
        for (int i = 0; i < r.to().columns().size(); i++) {
            key.putIfAbsent(r.to().columns().get(i), toValues.get(i));
        }
        return key;
    }

    /** The start node's rows now, locked; each with its restored properties as the graph holds such values. */
    private static List<CurrentRow> current(Connection c, RelationshipMapping r, List<String> fromValues, Map<String, String> types,
                                            Map<String, String> restored) throws SQLException {
        List<String> selected = new ArrayList<>(r.to().columns());
        restored.values().forEach(column -> {
            if (!selected.contains(column)) {
                selected.add(column);
            }
        });
        String sql = "SELECT " + String.join(", ", selected.stream().map(SqlNames::quote).toList()) + " FROM " + SqlNames.quote(r.table())
                + " WHERE " + where(r.from().columns(), types) + " FOR UPDATE";
        List<CurrentRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < fromValues.size(); i++) {
                st.setString(i + 1, fromValues.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (String column : selected) {
                        row.put(column, GraphValues.read(rs, column, types.get(column)));
                    }
                    Map<String, Object> properties = new HashMap<>();
                    restored.forEach((property, column) -> properties.put(property, row.get(column)));
                    rows.add(new CurrentRow(r.to().identity(row), properties));
                }
            }
        }
        return rows;
    }

    /** Whether the endpoint's node has a row now; locked so when it has (the node's table as the mapping names it). */
    private boolean lockNode(Connection c, RelationshipMapping.Endpoint end, List<String> values, Map<String, String> types, String lock)
            throws SQLException {
        NodeMapping node = mapping.nodeByLabel(end.label()).orElse(null);
        if (node == null) {
            return true;
        }
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < node.keyColumns().size(); i++) {
            where.append(i == 0 ? "" : " AND ").append(SqlNames.quote(node.keyColumns().get(i))).append(" = CAST(? AS ")
                    .append(types.get(end.columns().get(i))).append(")");
        }
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM " + SqlNames.quote(node.table()) + " WHERE " + where + " " + lock)) {
            for (int i = 0; i < values.size(); i++) {
                st.setString(i + 1, values.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Each column of the table with its type as SQL spells it ({@code timestamp with time zone}, {@code numeric(10,2)}). */
    private static Map<String, String> columnTypes(Connection c, TableId table) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                + "WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            st.setString(1, SqlNames.quote(table));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return types;
    }

    private static String where(Iterable<String> columns, Map<String, String> types) {
        List<String> terms = new ArrayList<>();
        columns.forEach(column -> terms.add(SqlNames.quote(column) + " = " + cast(column, types)));
        return String.join(" AND ", terms);
    }

    private static String cast(String column, Map<String, String> types) {
        return "CAST(? AS " + types.get(column) + ")";
    }

    /** A value as PostgreSQL's input for the column's type reads it: numbers, booleans and ISO times by their text. */
    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
