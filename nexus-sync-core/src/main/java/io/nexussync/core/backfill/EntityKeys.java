package io.nexussync.core.backfill;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The entity a row is, as one string per table: a node row's key, a join-table row's pair. Two rows
 * with the same entity key are the same node or relationship in the graph.
 */
final class EntityKeys {
    private final Mapping mapping;

    EntityKeys(Mapping mapping) {
        this.mapping = mapping;
    }

    /** The entity of a row's values, or null when the table is not mapped or the key is missing. */
    String of(TableId table, Map<String, Object> values) {
        if (values == null) {
            return null;
        }
        var node = mapping.node(table);
        if (node.isPresent()) {
            return node.get().identity(values);
        }
        var relationship = mapping.relationship(table);
        if (relationship.isPresent()) {
            return relationship.get().pairKey(values);
        }
        return null;
    }

    /** Every entity a change touches: an update that moves a row's key touches the old one too. */
    List<String> touchedBy(RowChange change) {
        if (change instanceof RowChange.Insert insert) {
            return nonNull(of(insert.table(), insert.newValues()));
        }
        if (change instanceof RowChange.Update update) {
            String now = of(update.table(), update.newValues());
            String before = of(update.table(), update.oldKey());
            return before == null || before.equals(now) ? nonNull(now) : nonNull(now, before);
        }
        if (change instanceof RowChange.Delete delete) {
            return nonNull(of(delete.table(), delete.oldKey()));
        }
        if (change instanceof RowChange.Truncate) {
            // A truncate touches every row of its tables: WatermarkWindows handles it apart.
            return List.of();
        }
        throw RowChange.unhandled(change);
    }

    private static List<String> nonNull(String... keys) {
        return java.util.Arrays.stream(keys).filter(Objects::nonNull).toList();
    }
}
