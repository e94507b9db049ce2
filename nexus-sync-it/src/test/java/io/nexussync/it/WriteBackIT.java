package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** neo4j_node_id is written back, its echo is never applied, and it never bumps pg_version. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WriteBackIT {
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.streaming("write_back");
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldWriteElementIdBackWithoutBumpingVersionOrApplyingItsEcho() throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, 'write-back')", id, id);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        // The write-back commits after the batch that carried the insert; wait for its transaction too.
        env.awaitCaughtUp(Duration.ofSeconds(60));

        String elementId = env.cypher("MATCH (t:Tag {id: $id}) RETURN elementId(t) AS e", Map.of("id", id.toString())).get(0).get("e").asString();
        Map<String, Object> row = env.query("SELECT neo4j_node_id, pg_version FROM tags WHERE id = ?", id).get(0);
        assertThat(row).containsEntry("neo4j_node_id", elementId).containsEntry("pg_version", 1L);

        String syncedAt = env.cypher("MATCH (t:Tag {id: $id}) RETURN toString(t.lastSyncedAt) AS s", Map.of("id", id.toString())).get(0).get("s").asString();
        long appliedBefore = env.service().progress().changesApplied();
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.service().progress().changesApplied()).as("the write-back's own UPDATE came back as a change").isEqualTo(appliedBefore);
        assertThat(env.cypher("MATCH (t:Tag {id: $id}) RETURN toString(t.lastSyncedAt) AS s", Map.of("id", id.toString())).get(0).get("s").asString())
                .isEqualTo(syncedAt);

        env.sql("UPDATE tags SET neo4j_node_id = 'something else' WHERE id = ?", id);
        assertThat(env.query("SELECT pg_version FROM tags WHERE id = ?", id).get(0)).containsEntry("pg_version", 1L);
        env.sql("UPDATE tags SET name = 'renamed' WHERE id = ?", id);
        assertThat(env.query("SELECT pg_version FROM tags WHERE id = ?", id).get(0)).containsEntry("pg_version", 2L);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(env.query("SELECT neo4j_node_id FROM tags WHERE id = ?", id).get(0)).containsEntry("neo4j_node_id", elementId);
    }
}
