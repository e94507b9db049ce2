package io.nexussync.postgres;

import java.util.List;
import java.util.function.Function;

/** PostgreSQL array literals ({@code {"a","b",NULL}}) for values written as text through {@code CAST(? AS type[])}. */
public final class ArrayLiterals {
    private ArrayLiterals() {}

    /**
     * {@code list} as an array literal, nested lists as nested arrays, each element's text from {@code elementText}:
     * every element quoted, so that no element's text can end it or add one.
     */
    public static String of(List<?> list, Function<Object, String> elementText) {
        StringBuilder out = new StringBuilder();
        append(list, elementText, out);
        return out.toString();
    }

    private static void append(List<?> list, Function<Object, String> elementText, StringBuilder out) {
        out.append('{');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object element = list.get(i);
            if (element == null) {
                out.append("NULL");
            } else if (element instanceof List<?> nested) {
                append(nested, elementText, out);
            } else {
                out.append('"').append(elementText.apply(element).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        out.append('}');
    }
}
