package io.nexussync.postgres;

import io.nexussync.core.model.TableId;

/** SQL identifier quoting: mapping names reach SQL only through here. */
public final class SqlNames {
    private SqlNames() {}

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public static String quote(TableId table) {
        return quote(table.schema()) + "." + quote(table.name());
    }
}
