package io.nexussync.core.model;

import java.util.List;
import java.util.Map;

/**
 * One row-level change as PostgreSQL logged it. Values are already converted from the wire
 * (see the postgres module's value converter): {@code null} is SQL NULL, {@link Unchanged#TOAST}
 * is an unchanged TOASTed value, anything else is the Java value.
 */
public sealed interface RowChange {

    record Insert(TableId table, Map<String, Object> newValues) implements RowChange {}

    /**
     * @param oldKey the old key columns when the key changed or the replica identity is FULL; otherwise null
     */
    record Update(TableId table, Map<String, Object> oldKey, Map<String, Object> newValues) implements RowChange {}

    /** @param oldKey the replica identity columns of the deleted row (the primary key by default) */
    record Delete(TableId table, Map<String, Object> oldKey) implements RowChange {}

    record Truncate(List<TableId> tables, boolean cascade, boolean restartIdentity) implements RowChange {}

    /** The one table an INSERT, UPDATE or DELETE is about; null for a TRUNCATE (which names a list). */
    static TableId tableOf(RowChange change) {
        if (change instanceof Insert i) {
            return i.table();
        } else if (change instanceof Update u) {
            return u.table();
        } else if (change instanceof Delete d) {
            return d.table();
        } else if (change instanceof Truncate) {
            return null;
        }
        throw unhandled(change);
    }

    /** The row values a change carries: the new values of an INSERT or UPDATE, the old key of a DELETE, none for a TRUNCATE. */
    static Map<String, Object> valuesOf(RowChange change) {
        if (change instanceof Insert i) {
            return i.newValues();
        } else if (change instanceof Update u) {
            return u.newValues();
        } else if (change instanceof Delete d) {
            return d.oldKey();
        } else if (change instanceof Truncate) {
            return Map.of();
        }
        throw unhandled(change);
    }

    /** For the end of an {@code instanceof} chain over every kind: a kind added later fails loudly (and its test), not silently. */
    static IllegalStateException unhandled(RowChange change) {
        return new IllegalStateException("unhandled row change " + change.getClass().getName());
    }
}
