package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.config.ReverseSettings;
import io.nexussync.demo.ContextNexusWorkload;
import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The polling fallback on the real servers (reverse.mode poll: what runs where no plugin can be installed; the plugin, if
 * the embedded server loads it, is told to record nothing): a graph writer that raises neo4jVersion with its edit has it
 * reach the row once (pg_version up by one, neo4j_version the node's) without a bounce; an edit that does not raise it is
 * not seen (documented: the writer's part of the contract); the graph equals the database by the contract afterwards.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReversePollIT {

    @Test
    void shouldApplyAPropertyEditWhoseWriterRaisedTheGraphVersionOnceAndLeaveTheGraphEqual() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("reverse_poll")) {
            env.environment().put("NEXUS_SYNC_REVERSE_MODE", "poll");
            env.environment().put("NEXUS_SYNC_REVERSE_POLL_INTERVAL", "200ms");
            env.setup();
            try (ContextNexusWorkload seeder = new ContextNexusWorkload(env.config().postgres(), new ContextNexusWorkload.SharedIds(), 5)) {
                seeder.seedSample(20, 4, 6);
            }
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(60));
            awaitTrue("reverse sync polls", () -> env.service().reverse().status().mode() == ReverseSettings.Mode.POLL);
            assertThat(env.cypher("MATCH (c) WHERE c:`_SyncReverseNode` OR c:`_SyncReverseRelationship` RETURN count(c) AS n").get(0).get("n").asLong())
                    .as("the plugin has nothing to record").isZero();
            List<String> ids = env.cypher("MATCH (t:Tag) WHERE t.id >= '' RETURN t.id AS id ORDER BY t.id LIMIT 2").stream()
                    .map(r -> r.get("id").asString()).toList();
            Map<String, Object> before = tag(env, ids.get(0));

            env.cypher("MATCH (t:Tag {id: $id}) SET t.name = 'renamed in the graph', t.neo4jVersion = coalesce(t.neo4jVersion, 0) + 1",
                    Map.of("id", ids.get(0)));
            env.cypher("MATCH (t:Tag {id: $id}) SET t.name = 'renamed without raising the version'", Map.of("id", ids.get(1)));

            awaitTrue("the polled edit reaches the row", () -> "renamed in the graph".equals(tag(env, ids.get(0)).get("name")));
            Map<String, Object> after = tag(env, ids.get(0));
            assertThat(after.get("pg_version")).as("bumped once").isEqualTo((Long) before.get("pg_version") + 1);
            assertThat(after.get("neo4j_version")).isEqualTo((Long) before.get("neo4j_version") + 1);
            env.awaitCaughtUp(Duration.ofSeconds(30));
            Thread.sleep(1_000);
            assertThat(tag(env, ids.get(0))).as("polled again and again: applied once").isEqualTo(after);
            assertThat(tag(env, ids.get(1)).get("name")).as("not marked: not seen").isNotEqualTo("renamed without raising the version");
            assertThat(env.service().reverse().status().appliedByEntity()).containsEntry("Tag", 1L);

            // The unmarked edit is what the fallback cannot see: put it back so the contract check compares the rest.
            env.sql("UPDATE tags SET name = name || ' ' WHERE id = ?::uuid", ids.get(1));
            env.awaitCaughtUp(Duration.ofSeconds(30));
            env.awaitCaughtUp(Duration.ofSeconds(30));
            assertThat(env.discrepancies()).as("graph vs database (the contract)").isEmpty();
            env.stopService();
        }
    }

    private static Map<String, Object> tag(SyncEnvironment env, String id) throws Exception {
        return env.query("SELECT name, pg_version, neo4j_version FROM tags WHERE id = ?::uuid", id).get(0);
    }

    private static void awaitTrue(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Boolean.TRUE.equals(condition.call())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
