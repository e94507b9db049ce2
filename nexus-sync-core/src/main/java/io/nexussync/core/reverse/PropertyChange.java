package io.nexussync.core.reverse;

/**
 * A property's value before and after a graph transaction (null: absent), as the outbox carries it: strings, longs,
 * doubles, booleans, lists, and temporal values as ISO-8601 text. The polling fallback does not know the value before:
 * its {@code oldValue} is {@link #UNKNOWN}.
 */
public record PropertyChange(Object oldValue, Object newValue) {
    /** The value before the edit is not known (polling): a property PostgreSQL changed meanwhile is a conflict. */
    public static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "(unknown)";
        }
    };

    public boolean oldValueKnown() {
        return oldValue != UNKNOWN;
    }
}
