package io.nexussync.neo4j;

import io.nexussync.core.mapping.PropertyNames;

/** Identifier quoting: a mapping's names reach Cypher only through here, so a mapping cannot inject Cypher. */
final class Cypher {
    private Cypher() {}

    static String name(String identifier) {
        if (!PropertyNames.isIdentifier(identifier)) {
            throw new IllegalArgumentException("not a valid label, type or property name: " + identifier);
        }
        return "`" + identifier + "`";
    }

    /** A checked identifier as a string literal (for {@code type(r) IN [...]}): an identifier has no quote to escape. */
    static String literal(String identifier) {
        name(identifier);
        return "'" + identifier + "'";
    }
}
