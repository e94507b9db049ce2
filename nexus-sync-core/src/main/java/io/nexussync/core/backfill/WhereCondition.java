package io.nexussync.core.backfill;

import io.nexussync.core.error.SyncException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code where} of a backfill: one boolean expression on the table's columns, nothing more. Each chunk
 * reads {@code WHERE (key) > (last key) AND (where) ORDER BY key LIMIT n}; a condition that closes its
 * parenthesis, comments out the rest or adds a clause of its own would read the whole table at once
 * ({@code true) --}) or the same chunk for ever ({@code true) OR (true}).
 *
 * <p>A small lexer that follows PostgreSQL's (with {@code standard_conforming_strings} on, which the
 * reads set): string constants ({@code '...'} with {@code ''}, {@code E'...'} with backslash escapes,
 * {@code B'' X'' N'' U&''}), quoted identifiers and dollar-quoted strings are skipped whole; outside
 * them it refuses comments, {@code ;}, unbalanced parentheses, clause keywords at the top level
 * ({@code UNION ORDER LIMIT OFFSET ...}) and what pgjdbc would rewrite ({@code ?} placeholders,
 * <code>{</code> escapes). Stateless; thread-safe.
 */
public final class WhereCondition {
    public static final int MAX_LENGTH = 10_000;

    /** Keywords that start a clause of their own: never part of one boolean expression outside parentheses. */
    private static final Set<String> CLAUSE_KEYWORDS = Set.of("UNION", "INTERSECT", "EXCEPT", "ORDER", "LIMIT", "OFFSET", "FETCH",
            "GROUP", "HAVING", "WINDOW", "INTO", "FOR", "SELECT", "WHERE", "RETURNING");
    private static final Pattern DOLLAR_TAG = Pattern.compile("\\$([A-Za-z_\\x{80}-\\x{FFFF}][A-Za-z0-9_\\x{80}-\\x{FFFF}]*)?\\$");
    private static final String EXAMPLE = "e.g. updated_at > now() - interval '1 day'";

    private WhereCondition() {}

    /**
     * @return the condition, stripped, or null for none (null or blank)
     * @throws SyncException (persistent) naming every problem found, each with its character position
     */
    public static String check(String where) {
        if (where == null || where.isBlank()) {
            return null;
        }
        String text = where.strip();
        List<String> problems = text.length() > MAX_LENGTH
                ? List.of("it is " + text.length() + " characters long; at most " + MAX_LENGTH + " are accepted")
                : new Scan(text).problems();
        if (!problems.isEmpty()) {
            throw SyncException.persistent("the where condition must be one boolean expression on the table's columns (" + EXAMPLE
                    + "); refused: " + String.join("; ", problems), null);
        }
        return text;
    }

    private static final class Scan {
        private final String s;
        private final List<String> problems = new ArrayList<>();
        private final Deque<Integer> open = new ArrayDeque<>();
        private int i;
        private boolean afterDot;

        Scan(String s) {
            this.s = s;
        }

        List<String> problems() {
            while (i < s.length()) {
                if (!token()) {
                    return problems; // an unterminated constant: nothing after it can be read
                }
            }
            if (!open.isEmpty()) {
                problems.add("unbalanced parentheses: " + open.size() + " '(' not closed (the first at character " + (open.peekLast() + 1) + ")");
            }
            return problems;
        }

        /** Reads one token at {@code i}; false when the rest cannot be read. */
        private boolean token() {
            char c = s.charAt(i);
            boolean dot = false;
            if (isSpace(c)) {
                i++;
                return true;
            }
            if (c == '\'') {
                if (!constant(i, '\'', false)) {
                    return false;
                }
            } else if (c == '"') {
                if (!constant(i, '"', false)) {
                    return false;
                }
            } else if (c == '$') {
                if (!dollar()) {
                    return false;
                }
            } else if (isIdentStart(c)) {
                if (!word()) {
                    return false;
                }
            } else if (isDigit(c) || (c == '.' && i + 1 < s.length() && isDigit(s.charAt(i + 1)))) {
                number();
            } else {
                dot = c == '.';
                punctuation(c);
            }
            afterDot = dot;
            return true;
        }

        private void punctuation(char c) {
            char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (c == '-' && next == '-' || c == '/' && next == '*') {
                problems.add("a comment (" + c + next + ") at character " + (i + 1) + ": comments are not allowed");
                i += 2;
                return;
            }
            switch (c) {
                case ';' -> problems.add("';' at character " + (i + 1) + ": one condition only, no second statement");
                case '(' -> open.push(i);
                case ')' -> {
                    if (open.isEmpty()) {
                        problems.add("unbalanced parentheses: the ')' at character " + (i + 1) + " closes no '('");
                    } else {
                        open.pop();
                    }
                }
                case '?' -> problems.add("'?' at character " + (i + 1) + " outside a string: the JDBC driver would take it for a parameter "
                        + "(for the jsonb ? operators use jsonb_exists, jsonb_exists_any or jsonb_exists_all)");
                case '{', '}' -> problems.add("'" + c + "' at character " + (i + 1) + " outside a string (JDBC escape syntax is not accepted)");
                case '\0' -> problems.add("a NUL character at character " + (i + 1));
                default -> {
                    // an operator character or punctuation: PostgreSQL judges it
                }
            }
            i++;
        }

        /** An identifier or keyword, or the prefix of a string constant (E'', B'', X'', N'', U&''). */
        private boolean word() {
            int start = i;
            while (i < s.length() && isIdentPart(s.charAt(i))) {
                i++;
            }
            String word = s.substring(start, i);
            char next = i < s.length() ? s.charAt(i) : 0;
            if (next == '\'' && word.length() == 1 && "eEbBxXnN".indexOf(word.charAt(0)) >= 0) {
                return constant(i, '\'', word.equalsIgnoreCase("e"));
            }
            if (word.equalsIgnoreCase("u") && next == '&' && i + 1 < s.length() && (s.charAt(i + 1) == '\'' || s.charAt(i + 1) == '"')) {
                return constant(i + 1, s.charAt(i + 1), false);
            }
            String upper = word.toUpperCase(Locale.ROOT);
            if (open.isEmpty() && !afterDot && CLAUSE_KEYWORDS.contains(upper)) {
                problems.add(upper + " at character " + (start + 1) + ": a condition cannot add a clause of its own (" + upper
                        + " is allowed inside parentheses, in a subquery)");
            }
            return true;
        }

        /** A constant or quoted identifier whose opening quote is at {@code from}; sets {@code i} after its closing quote. */
        private boolean constant(int from, char quote, boolean backslashEscapes) {
            int k = from + 1;
            while (k < s.length()) {
                char c = s.charAt(k);
                if (backslashEscapes && c == '\\') {
                    k += 2;
                } else if (c == quote) {
                    if (k + 1 < s.length() && s.charAt(k + 1) == quote) {
                        k += 2;
                    } else {
                        i = k + 1;
                        return true;
                    }
                } else {
                    k++;
                }
            }
            problems.add((quote == '"' ? "a quoted identifier" : "a string constant") + " starting at character " + (from + 1) + " is not closed");
            return false;
        }

        /** {@code $1} (a parameter: PostgreSQL refuses it) or a dollar-quoted string {@code $tag$...$tag$}. */
        private boolean dollar() {
            if (i + 1 < s.length() && isDigit(s.charAt(i + 1))) {
                i++;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    i++;
                }
                return true;
            }
            Matcher tag = DOLLAR_TAG.matcher(s).region(i, s.length());
            if (!tag.lookingAt()) {
                i++;
                return true;
            }
            int end = s.indexOf(tag.group(), tag.end());
            if (end < 0) {
                problems.add("a dollar-quoted string starting at character " + (i + 1) + " is not closed (" + tag.group() + ")");
                return false;
            }
            i = end + tag.group().length();
            return true;
        }

        /**
         * A numeric constant. One followed at once by a letter, a quote or {@code $} is refused: PostgreSQL 15 and
         * later call it trailing junk, earlier versions split it in ways that differ ({@code 1e'...'}).
         */
        private void number() {
            int start = i;
            int radix = s.charAt(i) == '0' && i + 1 < s.length() ? switch (s.charAt(i + 1)) {
                case 'x', 'X' -> 16;
                case 'o', 'O' -> 8;
                case 'b', 'B' -> 2;
                default -> 10;
            } : 10;
            if (radix != 10 && i + 2 < s.length() && isDigit(s.charAt(i + 2), radix)) {
                i += 2;
                while (i < s.length() && (isDigit(s.charAt(i), radix) || s.charAt(i) == '_')) {
                    i++;
                }
            } else {
                digits();
                if (i < s.length() && s.charAt(i) == '.' && !(i + 1 < s.length() && s.charAt(i + 1) == '.')) {
                    i++;
                    digits();
                }
                if (i + 1 < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    int j = i + 1;
                    if (s.charAt(j) == '+' || s.charAt(j) == '-') {
                        j++;
                    }
                    if (j < s.length() && isDigit(s.charAt(j))) {
                        i = j;
                        digits();
                    }
                }
            }
            if (i < s.length() && (isIdentPart(s.charAt(i)) || s.charAt(i) == '\'' || s.charAt(i) == '"')) {
                problems.add("the number at character " + (start + 1) + " runs into '" + s.charAt(i) + "': put a space after it");
                i++;
            }
        }

        private void digits() {
            while (i < s.length() && (isDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
        }
    }

    /** PostgreSQL's whitespace (scan.l): space, tab, newline, carriage return, form feed, vertical tab. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isDigit(char c, int radix) {
        return c < 0x80 && Character.digit(c, radix) >= 0;
    }

    /** As scan.l's ident_start: a letter, '_', or any non-ASCII character. */
    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    /** As scan.l's ident_cont: also digits and '$'. */
    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }
}
