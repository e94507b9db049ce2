package io.nexussync.postgres.pgoutput;

import java.util.Map;

/**
 * The built-in type OIDs the converter knows (fixed in {@code pg_type.dat}, the same on every server); public for the
 * Debezium decoder, which converts by the same types.
 */
public final class PgTypeOids {

    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    public static final int CHAR = 18;
    public static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT2 = 21;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    public static final int OID = 26;
    public static final int JSON = 114;
    public static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    public static final int BPCHAR = 1042;
    public static final int VARCHAR = 1043;
    public static final int DATE = 1082;
    public static final int TIME = 1083;
    public static final int TIMESTAMP = 1114;
    public static final int TIMESTAMPTZ = 1184;
    public static final int TIMETZ = 1266;
    public static final int NUMERIC = 1700;
    public static final int UUID = 2950;
    public static final int JSONB = 3802;

    /** Array type OID to element type OID. */
    static final Map<Integer, Integer> ARRAY_ELEMENTS = Map.ofEntries(
            Map.entry(1000, BOOL),
            Map.entry(1001, BYTEA),
            Map.entry(1002, CHAR),
            Map.entry(1003, NAME),
            Map.entry(1005, INT2),
            Map.entry(1007, INT4),
            Map.entry(1016, INT8),
            Map.entry(1028, OID),
            Map.entry(1021, FLOAT4),
            Map.entry(1022, FLOAT8),
            Map.entry(1231, NUMERIC),
            Map.entry(1009, TEXT),
            Map.entry(1015, VARCHAR),
            Map.entry(1014, BPCHAR),
            Map.entry(2951, UUID),
            Map.entry(1185, TIMESTAMPTZ),
            Map.entry(1115, TIMESTAMP),
            Map.entry(1182, DATE),
            Map.entry(1183, TIME),
            Map.entry(1270, TIMETZ),
            Map.entry(199, JSON),
            Map.entry(3807, JSONB));

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(BOOL, "bool"), Map.entry(BYTEA, "bytea"), Map.entry(CHAR, "char"), Map.entry(NAME, "name"),
            Map.entry(INT8, "int8"), Map.entry(INT2, "int2"), Map.entry(INT4, "int4"), Map.entry(TEXT, "text"),
            Map.entry(OID, "oid"), Map.entry(JSON, "json"), Map.entry(FLOAT4, "float4"), Map.entry(FLOAT8, "float8"),
            Map.entry(BPCHAR, "bpchar"), Map.entry(VARCHAR, "varchar"), Map.entry(DATE, "date"), Map.entry(TIME, "time"),
            Map.entry(TIMESTAMP, "timestamp"), Map.entry(TIMESTAMPTZ, "timestamptz"), Map.entry(TIMETZ, "timetz"),
            Map.entry(NUMERIC, "numeric"), Map.entry(UUID, "uuid"), Map.entry(JSONB, "jsonb"));

    private PgTypeOids() {}

    static String name(int oid) {
        String name = NAMES.get(oid);
        if (name != null) {
            return name;
        }
        Integer element = ARRAY_ELEMENTS.get(oid);
        return element != null ? name(element) + "[]" : "type " + oid;
    }
}
