package io.nexussync.postgres.catalog;

import java.util.Set;

/** Which column types have a graph form: what the value converter turns into a Neo4j value of its own. */
final class GraphTypes {
    /** Converted to a Neo4j value of their own (see ValueConverter); anything else arrives as its text form. */
    static final Set<String> NATIVE = Set.of("bool", "int2", "int4", "int8", "oid", "float4", "float8", "numeric", "text", "varchar",
            "bpchar", "name", "char", "uuid", "timestamptz", "timestamp", "date", "time", "timetz", "json", "jsonb", "bytea");
    /** Types whose text form is the same in the WAL, in {@code ::text} and back through a cast: what a node key may be. */
    static final Set<String> KEY = Set.of("int2", "int4", "int8", "text", "varchar", "uuid", "numeric");
    static final Set<String> JSON = Set.of("json", "jsonb");
    static final Set<String> INTEGER = Set.of("int2", "int4", "int8");

    private GraphTypes() {}

    /** Null when the column's values have a graph form; else why not. */
    static String problem(Catalog.Column column) {
        if (column.isArray()) {
            if (column.dimensions() > 1) {
                return "a " + column.dimensions() + "-dimensional array would be a list of lists, which a Neo4j property cannot hold";
            }
            if ("bytea".equals(column.elementTypeName())) {
                return "a Neo4j property cannot hold a list of byte arrays";
            }
            if (!NATIVE.contains(column.elementTypeName())) {
                return "arrays of " + column.elementTypeName() + " arrive as one text value, not a list";
            }
            return null;
        }
        if (column.typeKind() == 'e' || NATIVE.contains(column.typeName())) {
            return null;
        }
        String kind = switch (column.typeKind()) {
            case 'd' -> "domain ";
            case 'c' -> "composite type ";
            case 'r', 'm' -> "range type ";
            default -> "type ";
        };
        return kind + column.displayType() + " has no graph form of its own (its values would arrive as text)";
    }
}
