package io.nexussync.core.reverse;

import io.nexussync.core.model.TableId;
import java.util.Map;

/**
 * What the reverse applier writes to one row. Every write bumps the row's version by exactly one, so the stream carries
 * the decided state back to the graph (a no-op where the graph already shows it). Values are the graph's, which the
 * adapter casts to each column's type from their text form.
 */
public sealed interface RowWrite {

    <R> R accept(Visitor<R> visitor);

    interface Visitor<R> {
        R update(Update write);

        R insert(Insert write);

        R delete(Delete write);
    }

    TableId table();

    /**
     * Sets {@code columns} (possibly none), the graph version column to {@code graphVersion} (null: the table has none, or
     * it stays), and bumps the row version.
     */
    record Update(RowRef row, Map<String, Object> columns, Long graphVersion) implements RowWrite {
        public Update {
            columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
        }

        @Override
        public TableId table() {
            return row.table();
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.update(this);
        }
    }

    /**
     * Inserts a row of {@code columns} (key included), with the graph version and the cross-reference (the node's
     * elementId) where the table has those columns; the other columns take their defaults.
     */
    record Insert(TableId table, Map<String, Object> columns, Long graphVersion, String crossReference, String entityKey) implements RowWrite {
        public Insert {
            columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.insert(this);
        }
    }

    record Delete(RowRef row) implements RowWrite {
        @Override
        public TableId table() {
            return row.table();
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.delete(this);
        }
    }
}
