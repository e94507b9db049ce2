package io.nexussync.core.verify;

import io.nexussync.core.mapping.RelationshipMapping;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The one string that names an entity in verify, and the one order both sides are read in. A node is its
 * identity; a relationship is its pair, the start node's identity, a NUL, the end node's identity (a NUL is never
 * part of a key's text, and sorts first, so pairs sort by start node, then end node). Order is by Unicode code
 * point: Neo4j's order of strings, and PostgreSQL's under {@code COLLATE "C"} (UTF-8 byte order).
 */
public final class EntityKeys {
    public static final Comparator<String> ORDER = EntityKeys::compareCodePoints;
    private static final char SEPARATOR = RelationshipMapping.PAIR_SEPARATOR;

    private EntityKeys() {}

    public static String pair(String fromId, String toId) {
        return RelationshipMapping.pairKey(fromId, toId);
    }

    /** @return the start and end identities of a pair key */
    public static List<String> split(String pairKey) {
        int at = pairKey.indexOf(SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("not a relationship key: " + pairKey);
        }
        return List.of(pairKey.substring(0, at), pairKey.substring(at + 1));
    }

    /** How a key is shown to a person: a pair as {@code (from)->(to)}. */
    public static String display(String key) {
        int at = key.indexOf(SEPARATOR);
        return at < 0 ? key : "(" + key.substring(0, at) + ")->(" + key.substring(at + 1) + ")";
    }

    /** The inverse of {@link #display}. */
    public static String parseDisplayed(String shown) {
        if (shown.startsWith("(") && shown.endsWith(")") && shown.contains(")->(")) {
            int arrow = shown.indexOf(")->(");
            return pair(shown.substring(1, arrow), shown.substring(arrow + 4, shown.length() - 1));
        }
        return shown;
    }

    /** A row's key in its subject, or null when a key column is null. */
    public static String of(Subject subject, Map<String, Object> row) {
        return subject.match(nodes -> nodes.mapping().identity(row), relationships -> of(relationships.mapping(), row));
    }

    static String of(RelationshipMapping mapping, Map<String, Object> row) {
        return mapping.pairKey(row);
    }

    /** The key columns' values (their text forms) of the row a key names: for reading it again by key. */
    public static Map<String, Object> keyValues(Subject subject, String key) {
        return subject.match(nodes -> nodes.mapping().keyValues(key), relationships -> pairValues(relationships.mapping(), key));
    }

    private static Map<String, Object> pairValues(RelationshipMapping mapping, String key) {
        List<String> ends = split(key);
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        putKeyColumns(mapping.from().columns(), ends.get(0), values);
        putKeyColumns(mapping.to().columns(), ends.get(1), values);
        return values;
    }

    private static void putKeyColumns(List<String> columns, String identity, Map<String, Object> values) {
        List<String> parts = io.nexussync.core.mapping.NodeIdentity.decode(identity, columns.size());
        for (int i = 0; i < parts.size(); i++) {
            values.put(columns.get(i), parts.get(i));
        }
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
