package io.nexussync.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WhereConditionTest {

    @Test
    void shouldRefuseAConditionThatCommentsOutTheChunksOrderAndLimit() {
        assertRefused("true) --", "the ')' at character 5 closes no '('", "a comment (--) at character 7");
        assertRefused("true --", "a comment (--) at character 6");
        assertRefused("true /* ORDER BY */", "a comment (/*) at character 6");
    }

    @Test
    void shouldRefuseAConditionThatClosesItsParenthesisToOrTheKeysetAway() {
        assertRefused("true) OR (true", "the ')' at character 5 closes no '('");
        assertRefused("(true", "1 '(' not closed (the first at character 1)");
        assertRefused("id = 1)) OR ((true", "closes no '('");
    }

    @Test
    void shouldRefuseASecondStatement() {
        assertRefused("true; DROP TABLE content_items", "';' at character 5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UNION", "INTERSECT", "EXCEPT", "ORDER", "LIMIT", "OFFSET", "FETCH", "GROUP", "HAVING", "WINDOW", "INTO", "FOR",
            "SELECT", "WHERE", "RETURNING"})
    void shouldRefuseAClauseKeywordAtTheTopLevel(String keyword) {
        assertRefused("true " + keyword + " x", keyword + " at character 6");
        assertRefused("true " + keyword.toLowerCase() + " x", keyword + " at character 6");
    }

    @Test
    void shouldNameEveryHostileExampleOfTheIssue() {
        assertRefused("true) OR (true", "closes no '('");
        assertRefused("true) ORDER BY 1 LIMIT 1 --", "closes no '('", "ORDER at character 7", "LIMIT at character 18", "a comment (--)");
        assertRefused("1=1 UNION SELECT 1", "UNION at character 5", "SELECT at character 11");
        assertRefused("true OFFSET 5", "OFFSET at character 6");
    }

    @Test
    void shouldAcceptWhatALegitimateConditionUses() {
        assertAccepted("status = 'a;b'");
        assertAccepted("title = 'it''s -- not a comment /* nor this */ ) ('");
        assertAccepted("id in (1,2)");
        assertAccepted("updated_at > now() - interval '1 day'");
        assertAccepted("\"order\" > 5 AND \"weird \"\" name;\" = 'x'");
        assertAccepted("body = $$a ) -- ; ' b$$");
        assertAccepted("body = $tag$ $$ ) $tag$");
        assertAccepted("path = E'a\\'b) --'");
        assertAccepted("flags = B'101' AND hex = X'1F' AND n = N'x' AND u = U&'d\\0061t'");
        assertAccepted("EXISTS (SELECT 1 FROM other o WHERE o.id = content_items.id ORDER BY 1 LIMIT 1)");
        assertAccepted("ts::timestamp with time zone > now() AND extract(year FROM ts) = 2024 AND a IS DISTINCT FROM b");
        assertAccepted("t.order = 1 AND (row_value).limit > 2");
        assertAccepted("amount > 1.5e-3 AND n > .5 AND big > 1_000_000 AND h = 0x1F");
        assertAccepted("metadata->>'kind' = 'x' AND tags @> ARRAY['a'] AND r[1] = 2");
        assertAccepted("名前 = 'ü' AND a$b = 1");
    }

    @Test
    void shouldReturnNullForNoConditionAndTheConditionStripped() {
        assertThat(WhereCondition.check(null)).isNull();
        assertThat(WhereCondition.check("  \n")).isNull();
        assertThat(WhereCondition.check("  id > 5 \n")).isEqualTo("id > 5");
    }

    @Test
    void shouldRefuseUnterminatedConstantsAndIdentifiers() {
        assertRefused("title = 'abc", "a string constant starting at character 9 is not closed");
        assertRefused("\"title = 1", "a quoted identifier starting at character 1 is not closed");
        assertRefused("body = $x$ abc", "a dollar-quoted string starting at character 8 is not closed ($x$)");
        assertRefused("path = E'abc\\'", "a string constant starting at character 9 is not closed");
    }

    @Test
    void shouldReadAnEStringWithItsBackslashEscapesNotAsAPlainOne() {
        // As a plain string 'a\' would close at the backslash, leaving ") OR (true --" outside.
        assertAccepted("x = E'a\\') OR (true --'");
        // As an E-string, \' does not close it: the ") OR (true" after the next quote is outside.
        assertRefused("x = E'a\\'' ) OR (true", "closes no '('");
    }

    @Test
    void shouldNotMistakeADollarInsideAnIdentifierForADollarQuote() {
        // PostgreSQL reads a$x$ as one identifier; taking $x$ for a quote would hide ") OR (true --".
        assertRefused("a$x$ ) OR (true -- $x$", "closes no '('", "a comment (--)");
    }

    @Test
    void shouldRefuseANumberRunningIntoALetterOrQuote() {
        assertRefused("x = 1e'a\\' ) OR (true --'", "the number at character 5 runs into 'e'");
        assertRefused("x = 1and true", "runs into 'a'");
    }

    @Test
    void shouldRefuseWhatTheJdbcDriverWouldRewrite() {
        assertRefused("tags ? 'x'", "'?' at character 6 outside a string");
        assertRefused("{fn now()} > ts", "'{' at character 1");
        assertAccepted("tags = '{a,b}' AND q = '?'");
    }

    @Test
    void shouldRefuseAnOverlongCondition() {
        assertRefused("x = '" + "a".repeat(WhereCondition.MAX_LENGTH) + "'", "characters long; at most 10000");
    }

    @Test
    void shouldSayWhatIsExpected() {
        assertThatThrownBy(() -> WhereCondition.check("true) --")).isInstanceOf(SyncException.class)
                .hasMessageStartingWith("the where condition must be one boolean expression on the table's columns")
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isFalse());
    }

    private static void assertRefused(String where, String... parts) {
        assertThatThrownBy(() -> WhereCondition.check(where)).as(where).isInstanceOf(SyncException.class).hasMessageContainingAll(parts);
    }

    private static void assertAccepted(String where) {
        assertThat(WhereCondition.check(where)).as(where).isEqualTo(where);
    }
}
