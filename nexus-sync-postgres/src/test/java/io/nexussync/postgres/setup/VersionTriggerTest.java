package io.nexussync.postgres.setup;

import io.nexussync.postgres.SqlNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.postgres.setup.VersionTrigger.Bytes;
import io.nexussync.postgres.setup.VersionTrigger.Column;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The trigger's text: what it names, where, and a dollar quote that no catalog name can end. */
class VersionTriggerTest {
    private static final Set<String> SYNC = new LinkedHashSet<>(List.of("pg_version", "neo4j_version", "neo4j_node_id"));

    @Test
    void shouldQuoteWithATagTheBodyDoesNotHold() {
        assertThat(VersionTrigger.dollarQuoted("BEGIN END")).isEqualTo("$nexus_sync$BEGIN END$nexus_sync$");
        String body = "x \"a$nexus_sync$b\" y \"c$nexus_sync_1$d\"";
        assertThat(VersionTrigger.dollarQuoted(body)).isEqualTo("$nexus_sync_2$" + body + "$nexus_sync_2$");
    }

    @Test
    void shouldNotLetTheBodysEndAndTheClosingTagMakeAnEarlierTag() {
        // "...$nexus_sync" + "$nexus_sync$" holds "$nexus_sync$" one character before the closing tag.
        String body = "END -- $nexus_sync";
        String quoted = VersionTrigger.dollarQuoted(body);
        String tag = quoted.substring(0, quoted.indexOf('$', 1) + 1);
        assertThat(tag).isNotEqualTo("$nexus_sync$");
        assertThat(quoted.substring(tag.length()).indexOf(tag)).isEqualTo(body.length());
    }

    @Test
    void shouldKeepANameHoldingDollarTagsInsideItsQuotedIdentifierAndTheString() {
        String evil = "x$fn$; CREATE TABLE injected(); SELECT $nexus_sync$";
        String body = VersionTrigger.body(List.of(new Column("id", false, false, Bytes.NONE), new Column(evil, false, true, Bytes.TEXT),
                new Column("pg_version", false, false, Bytes.NONE)), "pg_version", Set.of("pg_version"), true);
        String quoted = VersionTrigger.dollarQuoted(body);
        String tag = quoted.substring(0, quoted.indexOf('$', 1) + 1);

        assertThat(body).contains(SqlNames.quote(evil)).doesNotContain(tag);
        assertThat(quoted).startsWith(tag).endsWith(tag);
        assertThat(quoted.indexOf(tag, tag.length())).isEqualTo(quoted.length() - tag.length());
    }

    @Test
    void shouldNameNoColumnButTheSyncColumnsWhenThereIsNoShortcutAndCompareRowImages() {
        String body = VersionTrigger.body(List.of(new Column("id", false, false, Bytes.NONE), new Column("created_by", false, false, Bytes.NONE),
                new Column("pg_version", false, false, Bytes.NONE), new Column("neo4j_version", false, false, Bytes.NONE),
                new Column("neo4j_node_id", false, true, Bytes.TEXT)), "pg_version", SYNC, true);

        assertThat(body).doesNotContain("\"id\"", "\"created_by\"", "pg_column_toast_chunk_id", "IS NOT DISTINCT FROM")
                .contains("n := NEW;", "n.\"pg_version\" := OLD.\"pg_version\";", "n.\"neo4j_version\" := OLD.\"neo4j_version\";",
                        "n.\"neo4j_node_id\" := OLD.\"neo4j_node_id\";",
                        "NEW.\"pg_version\" := OLD.\"pg_version\" + CASE WHEN n *<> OLD THEN 1 ELSE 0 END;");
        // The handler copies again with the sync columns set aside, and gives up (with a warning) only if that fails.
        String handler = body.substring(body.indexOf("EXCEPTION WHEN OTHERS THEN"));
        assertThat(handler).contains("n := NEW;", "n.\"neo4j_node_id\" := OLD.\"neo4j_node_id\";", "RAISE WARNING", "RETURN NEW;");
        assertThat(handler.indexOf("RAISE WARNING")).isGreaterThan(handler.lastIndexOf("EXCEPTION WHEN OTHERS THEN"));
        assertBlocksBalanced(body);
    }

    @Test
    void shouldFindAChangedTextOutOfLineBeforeCopyingAndSetAsideWhatIsTheSame() {
        String body = VersionTrigger.body(List.of(new Column("id", false, false, Bytes.NONE), new Column("body", false, true, Bytes.TEXT),
                new Column("blob", false, true, Bytes.BYTEA), new Column("metadata", false, true, Bytes.NONE),
                new Column("twice", true, false, Bytes.NONE), new Column("pg_version", false, false, Bytes.NONE)),
                "pg_version", Set.of("pg_version"), true);

        assertThat(body).contains("    IF num_nonnulls(pg_column_toast_chunk_id(OLD.\"body\"), pg_column_toast_chunk_id(OLD.\"blob\"), "
                        + "pg_column_toast_chunk_id(OLD.\"metadata\")) > 0 THEN\n",
                "      IF (pg_column_toast_chunk_id(NEW.\"body\") = pg_column_toast_chunk_id(OLD.\"body\") "
                        + "OR NEW.\"body\" COLLATE \"C\" IS NOT DISTINCT FROM OLD.\"body\" COLLATE \"C\") IS NOT TRUE\n"
                        + "         OR (pg_column_toast_chunk_id(NEW.\"blob\") = pg_column_toast_chunk_id(OLD.\"blob\") "
                        + "OR NEW.\"blob\" IS NOT DISTINCT FROM OLD.\"blob\") IS NOT TRUE THEN\n"
                        + "        NEW.\"pg_version\" := OLD.\"pg_version\" + 1;\n        RETURN NEW;\n      END IF;\n      n := NEW;\n",
                "      IF pg_column_toast_chunk_id(n.\"metadata\") = pg_column_toast_chunk_id(OLD.\"metadata\") THEN\n"
                        + "        n.\"metadata\" := NULL;\n        OLD.\"metadata\" := NULL;\n      END IF;\n",
                "n.\"twice\" := OLD.\"twice\";")
                .doesNotContain("\"id\"", "\"metadata\" IS NOT DISTINCT", "\"twice\" IS");
        // NEW is read, never copied, before a change is found; both copies set the generated column aside.
        assertThat(body.indexOf("n := NEW;")).isGreaterThan(body.indexOf("RETURN NEW;"));
        assertThat(body.split("n.\"twice\" := OLD.\"twice\";", -1)).hasSize(4);
        assertBlocksBalanced(body);
    }

    @Test
    void shouldCompareTextByteForByteForEveryRowBeforePostgres17() {
        String body = VersionTrigger.body(List.of(new Column("body", false, true, Bytes.TEXT), new Column("metadata", false, true, Bytes.NONE),
                new Column("pg_version", false, false, Bytes.NONE)), "pg_version", Set.of("pg_version"), false);

        assertThat(body).doesNotContain("pg_column_toast_chunk_id", "num_nonnulls", "\"metadata\"")
                .contains("    IF (NEW.\"body\" COLLATE \"C\" IS NOT DISTINCT FROM OLD.\"body\" COLLATE \"C\") IS NOT TRUE THEN\n");
        assertBlocksBalanced(body);
    }

    @Test
    void shouldLeaveTheVersionToTheStatementsOfATransactionThatSetsItItselfAndToThoseOnly() {
        String body = VersionTrigger.body(List.of(new Column("id", false, false, Bytes.NONE), new Column("body", false, true, Bytes.TEXT),
                new Column("pg_version", false, false, Bytes.NONE)), "pg_version", Set.of("pg_version"), true);

        // First: before anything that compares rows, and only for the statement's own rows (not a cascade's, not another trigger's).
        assertThat(body).startsWith("DECLARE\n  n record;\nBEGIN\n  IF current_setting('nexus_sync.writer_sets_version', true) = 'on' "
                + "AND pg_trigger_depth() = 1 THEN\n    RETURN NEW;\n  END IF;\n");
        assertThat(VersionTrigger.WRITER_SETS_VERSION).isEqualTo("nexus_sync.writer_sets_version");
        assertBlocksBalanced(body);
    }

    private static void assertBlocksBalanced(String body) {
        List<String> lines = body.lines().map(String::trim).toList();
        assertThat(lines.stream().filter(l -> l.startsWith("IF ") && !l.startsWith("IF NOT")).count())
                .isEqualTo(lines.stream().filter("END IF;"::equals).count());
        assertThat(lines.stream().filter("BEGIN"::equals).count()).isEqualTo(lines.stream().filter(l -> l.equals("END;") || l.equals("END")).count());
    }
}
