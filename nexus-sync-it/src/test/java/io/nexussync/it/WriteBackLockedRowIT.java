package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.acknowledge.CrossReference;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.writeback.PgCrossReferenceWriter;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write-back never waits for a row lock: a row a prepared transaction holds (which only the apply loop commits, and
 * the loop may be waiting for this write-back) is passed over, and its cross-reference written by a later call once the
 * lock is gone. The rows around it are written at once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WriteBackLockedRowIT {

    @Test
    void shouldPassOverARowAPreparedTransactionHoldsAndWriteItWithALaterCall() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("write_back_locked")) {
            env.setup();
            NodeMapping tags = MappingLoader.builtIn().node(new TableId("public", "tags")).orElseThrow();
            PgCrossReferenceWriter writer = new PgCrossReferenceWriter(PgConnectionSource.direct(env.config().postgres(), "test"));
            UUID held = tag(env, "held");
            UUID free = tag(env, "free");
            UUID later = tag(env, "later");
            String gid = "it-write-back-lock-" + held;
            try (Connection holder = env.connect(); var st = holder.createStatement()) {
                st.execute("BEGIN; UPDATE tags SET name = 'renamed in a prepared transaction' WHERE id = '" + held + "'; PREPARE TRANSACTION '" + gid + "'");
            }
            try {
                CompletableFuture<Void> written = CompletableFuture.runAsync(() -> writer.write(List.of(
                        new CrossReference(tags, held.toString(), "element-held"), new CrossReference(tags, free.toString(), "element-free"))));
                written.get(30, TimeUnit.SECONDS);

                assertThat(crossReference(env, free)).isEqualTo("element-free");
                assertThat(crossReference(env, held)).isNull();
                assertThat(writer.waiting()).isOne();

                writer.write(List.of(new CrossReference(tags, later.toString(), "element-later")));
                assertThat(writer.waiting()).as("still held").isOne();
                assertThat(crossReference(env, later)).isEqualTo("element-later");
            } finally {
                env.sql("ROLLBACK PREPARED '" + gid + "'");
            }

            writer.write(List.of(new CrossReference(tags, free.toString(), "element-free")));
            assertThat(crossReference(env, held)).as("written with a later call").isEqualTo("element-held");
            assertThat(writer.waiting()).isZero();
            assertThat(env.query("SELECT pg_version FROM tags WHERE id = ?", held).get(0)).containsEntry("pg_version", 1L);
        }
    }

    private static UUID tag(SyncEnvironment env, String name) throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO tags (id, tenant_id, name) VALUES (?, ?, ?)", id, id, name);
        return id;
    }

    private static String crossReference(SyncEnvironment env, UUID id) throws Exception {
        List<Map<String, Object>> rows = env.query("SELECT neo4j_node_id FROM tags WHERE id = ?", id);
        return (String) rows.get(0).get("neo4j_node_id");
    }
}
