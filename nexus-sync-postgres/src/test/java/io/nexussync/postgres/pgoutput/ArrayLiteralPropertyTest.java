package io.nexussync.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever {@code array_out} writes for a text[] must parse back to the same elements. */
class ArrayLiteralPropertyTest {

    @Property(tries = 2000)
    void text_arrays_round_trip(@ForAll("textArrays") List<String> elements) {
        assertThat(ValueConverter.fromText(1009, render(elements))).isEqualTo(elements);
    }

    @Property(tries = 500)
    void two_dimensional_arrays_round_trip(@ForAll("rows") List<List<String>> rows) {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < rows.size(); i++) {
            text.append(i == 0 ? "" : ",").append(render(rows.get(i)));
        }
        assertThat(ValueConverter.fromText(1009, text.append('}').toString())).isEqualTo(rows);
    }

    @Provide
    Arbitrary<List<String>> textArrays() {
        return element().list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<List<String>>> rows() {
        // PostgreSQL arrays are rectangular and never have empty sub-arrays
        return Arbitraries.integers().between(1, 4).flatMap(width ->
                element().list().ofSize(width).list().ofMinSize(1).ofMaxSize(4));
    }

    private static Arbitrary<String> element() {
        Arbitrary<String> tricky = Arbitraries.strings()
                .withChars('"', '\\', ',', '{', '}', ' ', '\t', '\n', 'a', 'Z', 'é', '✓', '[', ']', ':', '=')
                .ofMaxLength(8);
        Arbitrary<String> nullish = Arbitraries.of("NULL", "null", "Null", " NULL", "NULL ", "NULLx", "");
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(5, tricky),
                        net.jqwik.api.Tuple.of(2, nullish),
                        net.jqwik.api.Tuple.of(2, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6)))
                .injectNull(0.15);
    }

    /** As {@code array_out} does it: quote when needed, escape {@code "} and {@code \}, bare NULL for null. */
    static String render(List<String> elements) {
        List<String> parts = new ArrayList<>();
        for (String element : elements) {
            parts.add(element == null ? "NULL" : needsQuotes(element) ? quote(element) : element);
        }
        return "{" + String.join(",", parts) + "}";
    }

    private static boolean needsQuotes(String element) {
        if (element.isEmpty() || element.toUpperCase(Locale.ROOT).equals("NULL")) {
            return true;
        }
        for (char c : element.toCharArray()) {
            if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || c == ' ' || c == '\t' || c == '\n'
                    || c == '\r' || c == '\u000B' || c == '\f') {
                return true;
            }
        }
        return false;
    }

    private static String quote(String element) {
        return '"' + element.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
