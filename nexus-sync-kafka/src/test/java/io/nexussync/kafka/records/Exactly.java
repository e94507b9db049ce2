package io.nexussync.kafka.records;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A change in a form whose {@code equals} is the round trip's promise: byte arrays by content (a record's equals compares
 * them by reference), and a row's columns in their order (a map's equals ignores it). Every other value is itself, so a
 * Long that came back as a String, a Double as a Long or an offset lost fails the comparison.
 */
final class Exactly {
    private Exactly() {}

    record Bytes(String hex) {}

    static Object of(ConsumedChange consumed) {
        return List.of(of(consumed.change()), consumed.position());
    }

    static Object of(SourceChange change) {
        return java.util.Arrays.asList(of(change.change()), change.txFinalLsn(), change.commitTime());
    }

    static Object of(RowChange change) {
        if (change instanceof RowChange.Insert i) {
            return List.of("insert", i.table(), row(i.newValues()));
        } else if (change instanceof RowChange.Update u) {
            return java.util.Arrays.asList("update", u.table(), u.oldKey() == null ? null : row(u.oldKey()), row(u.newValues()));
        } else if (change instanceof RowChange.Delete d) {
            return List.of("delete", d.table(), row(d.oldKey()));
        } else if (change instanceof RowChange.Truncate t) {
            return List.of("truncate", t.tables(), t.cascade(), t.restartIdentity());
        }
        throw RowChange.unhandled(change);
    }

    static List<Object> row(Map<String, Object> row) {
        List<Object> columns = new ArrayList<>();
        row.forEach((column, value) -> columns.add(new SimpleImmutableEntry<>(column, value(value))));
        return columns;
    }

    static Object value(Object value) {
        if (value instanceof byte[] bytes) {
            return new Bytes(HexFormat.of().formatHex(bytes));
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(value(v)));
            return out;
        }
        return value;
    }
}
