package io.nexussync.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Whatever {@code array_out} writes for a text[] must parse back to the same elements. */
class ArrayLiteralPropertyTest {
    /**
     * Each try draws its input from {@code new Random(seed)}, its seed being the next {@code nextLong()} of
     * {@code new Random(BASE_SEED)}; a failure names the seed, and {@link #textArray(Random)} or {@link #rows(Random)}
     * with {@code new Random(seed)} regenerates the input.
     */
    static final long BASE_SEED = 0xA77A_7E57L;
    private static final char[] TRICKY_CHARS =
            {'"', '\\', ',', '{', '}', ' ', '\t', '\n', 'a', 'Z', '\u00e9', '\u2713', '[', ']', ':', '='};
    private static final List<String> NULLISH = List.of("NULL", "null", "Null", " NULL", "NULL ", "NULLx", "");
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    @Test
    void text_arrays_round_trip() {
        forEachTry(2000, ArrayLiteralPropertyTest::textArray, elements ->
                assertThat(ValueConverter.fromText(1009, render(elements))).isEqualTo(elements));
    }

    @Test
    void two_dimensional_arrays_round_trip() {
        forEachTry(500, ArrayLiteralPropertyTest::rows, rows -> {
            StringBuilder text = new StringBuilder("{");
            for (int i = 0; i < rows.size(); i++) {
                text.append(i == 0 ? "" : ",").append(render(rows.get(i)));
            }
            assertThat(ValueConverter.fromText(1009, text.append('}').toString())).isEqualTo(rows);
        });
    }

    private static <T> void forEachTry(int tries, Function<Random, T> generator, Consumer<T> property) {
        Random seeds = new Random(BASE_SEED);
        for (int i = 0; i < tries; i++) {
            long seed = seeds.nextLong();
            T input = generator.apply(new Random(seed));
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed for seed=" + seed + ", input=" + describe(input) + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** 0 to 12 elements. */
    static List<String> textArray(Random random) {
        return elements(random, random.nextInt(13));
    }

    /** 1 to 4 rows of one width from 1 to 4: PostgreSQL arrays are rectangular and never have empty sub-arrays. */
    static List<List<String>> rows(Random random) {
        int width = 1 + random.nextInt(4);
        int height = 1 + random.nextInt(4);
        List<List<String>> rows = new ArrayList<>(height);
        for (int i = 0; i < height; i++) {
            rows.add(elements(random, width));
        }
        return rows;
    }

    private static List<String> elements(Random random, int size) {
        List<String> elements = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            elements.add(element(random));
        }
        return elements;
    }

    /** Null 15% of the time, else tricky, NULL-like and alphanumeric strings weighted 5:2:2. */
    private static String element(Random random) {
        if (random.nextDouble() < 0.15) {
            return null;
        }
        int pick = random.nextInt(9);
        if (pick < 5) {
            return string(random, TRICKY_CHARS, 0, 8);
        }
        if (pick < 7) {
            return NULLISH.get(random.nextInt(NULLISH.size()));
        }
        return string(random, ALPHANUMERIC.toCharArray(), 1, 6);
    }

    private static String string(Random random, char[] chars, int minLength, int maxLength) {
        int length = minLength + random.nextInt(maxLength - minLength + 1);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(chars[random.nextInt(chars.length)]);
        }
        return s.toString();
    }

    /** The input with each string quoted and escaped, so whitespace, quotes and null stay visible. */
    private static String describe(Object input) {
        if (input == null) {
            return "null";
        }
        if (input instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(e -> parts.add(describe(e)));
            return "[" + String.join(", ", parts) + "]";
        }
        return '"' + input.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t")
                .replace("\n", "\\n") + '"';
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
