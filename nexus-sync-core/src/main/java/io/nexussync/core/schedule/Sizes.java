package io.nexussync.core.schedule;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import java.util.Map;

/** Rough heap cost of a pending change: what the memory bound on read-ahead counts. Errs on the high side. */
final class Sizes {
    /** A pending item's own objects: its sets and lists, its entries in the lane, age, owner and pointer indexes. */
    static final long PER_ITEM = 1_024;
    /** Each stream change an item holds: its ordinal, lane and commit time, even once coalesced away. */
    static final long PER_ORDINAL = 96;

    private Sizes() {}

    static long of(SourceChange change) {
        RowChange row = change.change();
        if (row instanceof RowChange.Insert i) {
            return 96 + of(i.newValues());
        } else if (row instanceof RowChange.Update u) {
            return 96 + of(u.newValues()) + (u.oldKey() == null ? 0 : of(u.oldKey()));
        } else if (row instanceof RowChange.Delete d) {
            return 96 + of(d.oldKey());
        } else if (row instanceof RowChange.Truncate) {
            return 128;
        }
        throw RowChange.unhandled(row);
    }

    private static long of(Map<String, Object> values) {
        long bytes = 64 + 48L * values.size();
        for (Object value : values.values()) {
            bytes += value(value);
        }
        return bytes;
    }

    private static long value(Object value) {
        if (value instanceof String s) {
            return 48 + s.length() * 2L;
        }
        if (value instanceof byte[] b) {
            return 24 + b.length;
        }
        return 32;
    }
}
