package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.core.capture.TransactionReader;
import io.nexussync.it.testkit.SyncEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * neo4j_node_id is a cross-reference the service can repair: one left empty (a crash between the
 * graph commit and the write-back) is filled at the next start; one that no longer matches (after a
 * Neo4j restore) is rewritten by {@code refresh-cross-references}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrossReferenceRepairIT {

    @Test
    void shouldFillAnEmptyCrossReferenceAtStartAndRewriteAStaleOneOnDemand() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.streaming("xref_repair")) {
            UUID emptied = UUID.randomUUID();
            UUID stale = UUID.randomUUID();
            env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'emptied'), (?, ?, 'stale')", emptied, emptied, stale, stale);
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.awaitCaughtUp(Duration.ofSeconds(60));
            env.stopService();

            // Tagged like a write-back, so the stream drops these edits as its own echo: only a repair can undo them.
            asWriteBack(env, "UPDATE tags SET neo4j_node_id = NULL WHERE id = '" + emptied + "'");
            asWriteBack(env, "UPDATE tags SET neo4j_node_id = 'restored-elsewhere' WHERE id = '" + stale + "'");

            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(xref(env, emptied)).isEqualTo(elementId(env, emptied));
            assertThat(xref(env, stale)).isEqualTo("restored-elsewhere");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = NexusSyncCommand.execute(new String[] {"refresh-cross-references"}, env.environment(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThat(code).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("rewrote 1 cross-references");
            assertThat(xref(env, stale)).isEqualTo(elementId(env, stale));
            env.stopService();
            assertThat(env.discrepancies()).isEmpty();
        }
    }

    private static void asWriteBack(SyncEnvironment env, String update) throws Exception {
        try (var c = env.connect(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT pg_logical_emit_message(true, '" + TransactionReader.ECHO_PREFIX + "', '')");
            st.execute(update);
            c.commit();
        }
    }

    private static Object xref(SyncEnvironment env, UUID id) throws Exception {
        return env.query("SELECT neo4j_node_id FROM tags WHERE id = ?", id).get(0).get("neo4j_node_id");
    }

    private static String elementId(SyncEnvironment env, UUID id) {
        return env.cypher("MATCH (t:Tag {id: $id}) RETURN elementId(t) AS e", Map.of("id", id.toString())).get(0).get("e").asString();
    }
}
