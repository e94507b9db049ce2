package io.nexussync.core.model;

/** A PostgreSQL table by schema and name, as the catalog spells them (no quoting). */
public record TableId(String schema, String name) {
    public TableId {
        if (schema == null || schema.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a table needs a schema and a name, got " + schema + "." + name);
        }
    }

    /** {@code "orders"} is {@code public.orders}; {@code "shop.orders"} is schema {@code shop}. */
    public static TableId parse(String qualified) {
        int dot = qualified.indexOf('.');
        return dot < 0 ? new TableId("public", qualified) : new TableId(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
