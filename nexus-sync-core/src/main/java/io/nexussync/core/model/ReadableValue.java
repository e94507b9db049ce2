package io.nexussync.core.model;

import java.util.HexFormat;
import java.util.List;

/**
 * A column value as JSON shows it to a person (a dead letter, the transaction log): numbers, booleans and text as they
 * are, JSON as its canonical text, bytes as PostgreSQL's hex form, an unchanged TOAST value named as such, anything else
 * as its text. Optionally bounded, so that one large value cannot make a log row large.
 */
public final class ReadableValue {
    /** No bound: the whole value. */
    public static final int WHOLE = Integer.MAX_VALUE;

    private ReadableValue() {}

    /**
     * @param maxChars texts longer than this are cut (saying how much was left out), byte arrays of more than half of it
     *                 and lists of more than an eighth of it are only counted
     */
    public static Object of(Object value, int maxChars) {
        if (value == null || value instanceof Boolean || value instanceof Number) {
            return value;
        }
        if (value == Unchanged.TOAST) {
            return "(unchanged TOAST value)";
        }
        if (value instanceof JsonText json) {
            return cut(json.canonical(), maxChars);
        }
        if (value instanceof byte[] bytes) {
            return bytes.length > maxChars / 2 ? "(" + bytes.length + " bytes)" : "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof List<?> list) {
            return list.size() > maxChars / 8 ? "(a list of " + list.size() + ")" : list.stream().map(item -> of(item, maxChars)).toList();
        }
        return cut(value.toString(), maxChars);
    }

    private static String cut(String text, int maxChars) {
        return text.length() <= maxChars ? text : text.substring(0, maxChars) + "…(+" + (text.length() - maxChars) + " characters)";
    }
}
