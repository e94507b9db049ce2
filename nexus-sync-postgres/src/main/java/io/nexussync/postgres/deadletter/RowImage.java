package io.nexussync.postgres.deadletter;

import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.postgres.SqlNames;
import io.nexussync.postgres.pgoutput.ValueConversionException;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A row as it is now, in the form the stream gives a row image: each column's output text (what pgoutput sends:
 * {@code format('%s', column)} calls the same output function) through the stream's value converter. So a row read
 * here and an image from the WAL compare value by value, whatever the types.
 *
 * @param version the row version's transaction ({@code xmin}): which transaction wrote the row as it is
 * @param values  column name to value, in table order
 */
record RowImage(String version, Map<String, Object> values) {

    /** The row at {@code key}, locked against others' writes when {@code lock}, or null when there is none. */
    static RowImage read(Connection c, TableId table, List<RowLocator.Column> columns, Map<String, String> key, boolean lock) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT xmin::text");
        for (RowLocator.Column column : columns) {
            String name = SqlNames.quote(column.name());
            // num_nulls: a composite whose fields are all null IS NULL, yet is a value with an output text.
            sql.append(", CASE WHEN num_nulls(").append(name).append(") = 1 THEN NULL ELSE format('%s', ").append(name).append(") END");
        }
        sql.append(" FROM ").append(SqlNames.quote(table)).append(" WHERE ").append(RowLocator.where(table, columns, key))
                .append(lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            RowLocator.bind(ps, key, 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> values = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    values.put(columns.get(i).name(), value(columns.get(i), rs.getString(i + 2)));
                }
                return new RowImage(rs.getString(1), values);
            }
        }
    }

    private static Object value(RowLocator.Column column, String text) {
        try {
            return ValueConverter.fromText(column.typeOid(), text);
        } catch (ValueConversionException e) {
            return new Unconvertible(column.name(), e.getMessage());
        }
    }

    /** The first column of {@code image} (but those in {@code ignored}) whose value here differs, or null when none does. */
    String firstDifference(Map<String, Object> image, Set<String> ignored) {
        for (Map.Entry<String, Object> column : image.entrySet()) {
            if (ignored.contains(column.getKey())) {
                continue;
            }
            if (!values.containsKey(column.getKey()) || !same(values.get(column.getKey()), column.getValue())) {
                return column.getKey();
            }
        }
        return null;
    }

    /** One value as the converter made it, from either side: arrays and lists element by element, unconvertible values by their text. */
    static boolean same(Object a, Object b) {
        if (a instanceof Unconvertible x && b instanceof Unconvertible y) {
            return Objects.equals(x.detail(), y.detail());
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }
}
