package io.nexussync.postgres.pgoutput;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parses PostgreSQL's array text ({@code array_out}, and anything {@code array_in} accepts with
 * the default {@code ,} delimiter) into nested lists whose leaves are the element texts, or null
 * for SQL NULL. Element conversion is left to the caller.
 */
final class ArrayLiteral {

    private final String text;
    private int pos;

    private ArrayLiteral(String text) {
        this.text = text;
    }

    /** @throws IllegalArgumentException when the text is not an array literal */
    static List<Object> parse(String text) {
        ArrayLiteral parser = new ArrayLiteral(text);
        parser.skipSpace();
        parser.skipDimensions();
        List<Object> result = parser.array();
        parser.skipSpace();
        if (parser.pos != text.length()) {
            throw parser.error("unexpected text after the closing '}'");
        }
        return result;
    }

    // "[0:1][1:2]=" appears when a lower bound is not 1; lists are zero-based anyway, so it is dropped
    private void skipDimensions() {
        if (peek() != '[') {
            return;
        }
        while (peek() == '[') {
            int close = text.indexOf(']', pos);
            if (close < 0) {
                throw error("unterminated dimension");
            }
            pos = close + 1;
        }
        skipSpace();
        if (next() != '=') {
            throw error("expected '=' after the dimensions");
        }
        skipSpace();
    }

    private List<Object> array() {
        if (next() != '{') {
            throw error("expected '{'");
        }
        List<Object> elements = new ArrayList<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableList(elements);
        }
        while (true) {
            skipSpace();
            char c = peek();
            if (c == '{') {
                elements.add(array());
            } else if (c == '"') {
                elements.add(quoted());
            } else {
                elements.add(unquoted());
            }
            skipSpace();
            char separator = next();
            if (separator == '}') {
                return Collections.unmodifiableList(elements);
            }
            if (separator != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private String quoted() {
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            out.append(c == '\\' ? next() : c);
        }
    }

    /** Unquoted: runs to ',' or '}', trailing blanks dropped; NULL only when nothing in it was escaped. */
    private String unquoted() {
        StringBuilder out = new StringBuilder();
        int significant = 0;
        boolean escaped = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ',' || c == '}') {
                break;
            }
            if (c == '{' || c == '"') {
                throw error("unexpected '" + c + "' in an unquoted element");
            }
            pos++;
            if (c == '\\') {
                out.append(next());
                escaped = true;
                significant = out.length();
            } else {
                out.append(c);
                if (!isSpace(c)) {
                    significant = out.length();
                }
            }
        }
        out.setLength(significant);
        if (out.length() == 0 && !escaped) {
            throw error("empty unquoted element");
        }
        String element = out.toString();
        return !escaped && element.equalsIgnoreCase("NULL") ? null : element;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos++);
    }

    private void skipSpace() {
        while (pos < text.length() && isSpace(text.charAt(pos))) {
            pos++;
        }
    }

    // the same set as array_isspace()
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000B' || c == '\f';
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed array literal at index " + pos + ": " + what);
    }
}
