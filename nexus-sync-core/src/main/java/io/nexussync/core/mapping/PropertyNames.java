package io.nexussync.core.mapping;

import java.util.regex.Pattern;

/** The contract's naming rule and the identifier checks that keep a mapping from injecting Cypher. */
public final class PropertyNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    private PropertyNames() {}

    /**
     * Column names seen, with their property names: the planner asks for every column of every change, and a
     * database has a few hundred columns at most (past 10,000 the cache stops growing rather than hold foreign names).
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> CAMEL_CASE = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code tenant_id} becomes {@code tenantId}; {@code neo4j_version} becomes {@code neo4jVersion}. */
    public static String camelCase(String column) {
        String known = CAMEL_CASE.get(column);
        if (known != null) {
            return known;
        }
        String name = convert(column);
        if (CAMEL_CASE.size() < 10_000) {
            CAMEL_CASE.put(column, name);
        }
        return name;
    }

    private static String convert(String column) {
        StringBuilder out = new StringBuilder(column.length());
        boolean upper = false;
        for (int i = 0; i < column.length(); i++) {
            char c = column.charAt(i);
            if (c == '_') {
                upper = out.length() > 0;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    public static boolean isIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }
}
