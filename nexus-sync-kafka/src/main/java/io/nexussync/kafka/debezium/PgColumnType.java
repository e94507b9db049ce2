package io.nexussync.kafka.debezium;

import static io.nexussync.postgres.pgoutput.PgTypeOids.*;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column's PostgreSQL type read from its name: the built-in type OID the pgoutput path converts by (0 for a type it
 * keeps as text), whether it is an array, and the modifier Debezium's encoding depends on (a time's precision, a
 * numeric's scale).
 *
 * @param oid       the element type's OID for an array, else the type's; 0 for a type the pgoutput path keeps as text
 * @param array     a one-dimensional array of {@code oid}
 * @param precision the fractional-second digits of a time or timestamp, or -1 when not given (PostgreSQL's 6)
 * @param scale     a numeric's scale, or -1 when not given (a numeric of any scale)
 * @param name      the name as given, for messages
 */
record PgColumnType(int oid, boolean array, int precision, int scale, String name) {

    // both spellings: pg_type.typname and format_type's SQL names
    private static final Map<String, Integer> OIDS = Map.ofEntries(
            Map.entry("bool", BOOL), Map.entry("boolean", BOOL),
            Map.entry("bytea", BYTEA),
            Map.entry("\"char\"", CHAR), Map.entry("char", BPCHAR), Map.entry("name", NAME),
            Map.entry("int8", INT8), Map.entry("bigint", INT8),
            Map.entry("int2", INT2), Map.entry("smallint", INT2),
            Map.entry("int4", INT4), Map.entry("int", INT4), Map.entry("integer", INT4),
            Map.entry("text", TEXT), Map.entry("oid", OID),
            Map.entry("json", JSON), Map.entry("jsonb", JSONB),
            Map.entry("float4", FLOAT4), Map.entry("real", FLOAT4),
            Map.entry("float8", FLOAT8), Map.entry("double precision", FLOAT8),
            Map.entry("bpchar", BPCHAR), Map.entry("character", BPCHAR),
            Map.entry("varchar", VARCHAR), Map.entry("character varying", VARCHAR),
            Map.entry("date", DATE),
            Map.entry("time", TIME), Map.entry("time without time zone", TIME),
            Map.entry("timetz", TIMETZ), Map.entry("time with time zone", TIMETZ),
            Map.entry("timestamp", TIMESTAMP), Map.entry("timestamp without time zone", TIMESTAMP),
            Map.entry("timestamptz", TIMESTAMPTZ), Map.entry("timestamp with time zone", TIMESTAMPTZ),
            Map.entry("numeric", NUMERIC), Map.entry("decimal", NUMERIC),
            Map.entry("uuid", UUID));

    // "timestamp(3) without time zone", "numeric(12,2)", "character varying(20)", "time(0) with time zone"
    private static final Pattern MODIFIER = Pattern.compile("^([^(]*)\\(\\s*(\\d+)\\s*(?:,\\s*(-?\\d+)\\s*)?\\)(.*)$");

    static PgColumnType parse(String typeName) {
        String name = typeName.trim().toLowerCase(Locale.ROOT);
        boolean array = false;
        if (name.endsWith("[]")) {
            array = true;
            name = name.substring(0, name.length() - 2).trim();
        } else if (name.startsWith("_")) {
            array = true;
            name = name.substring(1);
        }
        int first = -1;
        int second = -1;
        Matcher m = MODIFIER.matcher(name);
        if (m.matches()) {
            first = Integer.parseInt(m.group(2));
            second = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
            name = (m.group(1).trim() + " " + m.group(4).trim()).trim();
        }
        if (name.startsWith("pg_catalog.")) {
            name = name.substring("pg_catalog.".length());
        }
        int oid = OIDS.getOrDefault(name, 0);
        boolean temporal = oid == TIME || oid == TIMETZ || oid == TIMESTAMP || oid == TIMESTAMPTZ;
        int precision = temporal ? first : -1;
        // numeric(p) has scale 0; numeric(p,s) has s; plain numeric has any scale
        int scale = oid == NUMERIC && first >= 0 ? Math.max(second, 0) : -1;
        return new PgColumnType(oid, array, precision, scale, typeName);
    }
}
