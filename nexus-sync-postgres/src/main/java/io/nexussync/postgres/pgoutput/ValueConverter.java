package io.nexussync.postgres.pgoutput;

import static io.nexussync.postgres.pgoutput.PgTypeOids.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Converts a column's text output, as pgoutput sends it, to the Java value the graph stores.
 *
 * <p>numeric stays a String because Neo4j has no decimal type and a double would round it; types
 * not listed below also stay text, so an unfamiliar column still syncs. Stateless and thread-safe.
 */
public final class ValueConverter {

    private static final int MAX_QUOTED = 120;

    private ValueConverter() {}

    /**
     * @param typeOid the column's type OID from its Relation message
     * @param text    the value's text output; null (SQL NULL) gives null
     * @return Boolean, Long, Double, String, {@link java.time} values, {@link io.nexussync.core.model.JsonText},
     *         byte[], or a (nested) List of those for arrays
     * @throws ValueConversionException when the text does not parse as the type, or the value has no
     *                                  Neo4j form (infinite dates and timestamps)
     */
    public static Object fromText(int typeOid, String text) {
        if (text == null) {
            return null;
        }
        try {
            return convert(typeOid, text);
        } catch (ValueConversionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ValueConversionException("cannot convert " + PgTypeOids.name(typeOid) + " value '"
                    + abbreviate(text) + "': " + e.getMessage(), e);
        }
    }

    private static Object convert(int typeOid, String text) {
        return switch (typeOid) {
            case BOOL -> bool(text);
            case INT2, INT4, INT8, OID -> Long.parseLong(text);
            case FLOAT4, FLOAT8 -> Double.parseDouble(text);
            case NUMERIC, TEXT, VARCHAR, BPCHAR, NAME, CHAR -> text;
            case UUID -> text.toLowerCase(Locale.ROOT);
            case TIMESTAMPTZ -> PgTemporal.timestamptz(text);
            case TIMESTAMP -> PgTemporal.timestamp(text);
            case DATE -> PgTemporal.date(text);
            case TIME -> PgTemporal.time(text);
            case TIMETZ -> PgTemporal.timetz(text);
            case JSON, JSONB -> CanonicalJson.of(text);
            case BYTEA -> Bytea.parse(text);
            default -> {
                Integer element = ARRAY_ELEMENTS.get(typeOid);
                yield element == null ? text : array(element, ArrayLiteral.parse(text));
            }
        };
    }

    private static Boolean bool(String text) {
        return switch (text) {
            case "t", "true" -> Boolean.TRUE;
            case "f", "false" -> Boolean.FALSE;
            default -> throw new ValueConversionException("not a bool: '" + abbreviate(text) + "'");
        };
    }

    private static List<Object> array(int elementOid, List<Object> parsed) {
        List<Object> out = new ArrayList<>(parsed.size());
        for (Object element : parsed) {
            if (element instanceof List<?> nested) {
                @SuppressWarnings("unchecked")
                List<Object> sub = (List<Object>) nested;
                out.add(array(elementOid, sub));
            } else {
                out.add(element == null ? null : convert(elementOid, (String) element));
            }
        }
        return Collections.unmodifiableList(out);
    }

    // a multi-megabyte json value does not belong in an exception message
    static String abbreviate(String text) {
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...(" + text.length() + " chars)";
    }
}
