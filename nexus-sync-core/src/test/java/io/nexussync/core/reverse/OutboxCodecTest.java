package io.nexussync.core.reverse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxCodecTest {
    private static final Instant AT = Instant.parse("2026-12-06T10:00:00.123Z");

    @Test
    void shouldReadEveryKindOfEditWithItsValuesTypedAsTheGraphHeldThem() {
        String json = "["
                + "{\"kind\":\"node-updated\",\"label\":\"ContentItem\",\"id\":\"c1\",\"elementId\":\"4:x:1\",\"basePgVersion\":3,"
                + "\"baseGraphVersion\":0,\"graphVersion\":1,\"changes\":{\"title\":{\"old\":\"a\",\"new\":\"b\"},"
                + "\"viewCount\":{\"old\":1,\"new\":2.0},\"updatedAt\":{\"old\":null,\"new\":\"2026-12-06T10:00:00Z\"}}},"
                + "{\"kind\":\"node-created\",\"label\":\"Tag\",\"elementId\":\"4:x:2\",\"id\":null,\"graphVersion\":1,"
                + "\"properties\":{\"name\":\"n\",\"list\":[1,\"two\",true]}},"
                + "{\"kind\":\"node-deleted\",\"label\":\"Tag\",\"id\":\"t1\",\"elementId\":\"4:x:3\",\"basePgVersion\":null,\"baseGraphVersion\":4},"
                + "{\"kind\":\"relationship-created\",\"type\":\"TAGGED_WITH\",\"from\":\"c1\",\"to\":\"t1\",\"properties\":{\"weight\":0.5}},"
                + "{\"kind\":\"relationship-deleted\",\"type\":\"TAGGED_WITH\",\"from\":\"c1\",\"to\":\"t1\",\"basePgVersion\":2},"
                + "{\"kind\":\"relationship-updated\",\"type\":\"INCLUDES\",\"from\":\"th\",\"to\":\"c1\",\"basePgVersion\":2,"
                + "\"changes\":{\"position\":{\"old\":1,\"new\":null}}}]";

        GraphEdit edit = OutboxCodec.read(12, AT, json);

        assertThat(edit.seq()).isEqualTo(12);
        assertThat(edit.committedAt()).isEqualTo(AT);
        assertThat(edit.edits()).hasSize(6);
        EntityEdit.NodeUpdated updated = (EntityEdit.NodeUpdated) edit.edits().get(0);
        assertThat(updated.basePgVersion()).isEqualTo(3L);
        assertThat(updated.graphVersion()).isEqualTo(1);
        assertThat(updated.changes().get("viewCount").oldValue()).isEqualTo(1L);
        assertThat(updated.changes().get("viewCount").newValue()).isEqualTo(2.0d);
        assertThat(updated.changes().get("updatedAt").oldValue()).isNull();
        EntityEdit.NodeCreated created = (EntityEdit.NodeCreated) edit.edits().get(1);
        assertThat(created.id()).isNull();
        assertThat(created.properties().get("list")).isEqualTo(List.of(1L, "two", true));
        assertThat(((EntityEdit.NodeDeleted) edit.edits().get(2)).basePgVersion()).isNull();
        assertThat(((EntityEdit.RelationshipCreated) edit.edits().get(3)).properties()).containsEntry("weight", 0.5);
        assertThat(((EntityEdit.RelationshipDeleted) edit.edits().get(4)).basePgVersion()).isEqualTo(2L);
        assertThat(((EntityEdit.RelationshipUpdated) edit.edits().get(5)).changes().get("position").newValue()).isNull();
    }

    @Test
    void shouldStopOnAnEntryItCannotReadNamingItsSeq() {
        assertThatThrownBy(() -> OutboxCodec.read(5, AT, "[{\"kind\":\"node-renamed\"}]"))
                .isInstanceOf(SyncException.class).hasMessageContaining("outbox entry 5").hasMessageContaining("node-renamed");
        assertThatThrownBy(() -> OutboxCodec.read(6, AT, "{not json")).isInstanceOf(SyncException.class).hasMessageContaining("outbox entry 6");
    }
}
