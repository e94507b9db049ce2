package io.nexussync.plugin;

import java.util.Objects;

/** One property of one entity as a transaction left it: its committed value and its new one (null when removed). */
record PropertyChange(String key, Object committed, Object value) {
    /** An assignment of the value it already had is no edit. */
    boolean changed() {
        return !Objects.deepEquals(committed, value);
    }
}
