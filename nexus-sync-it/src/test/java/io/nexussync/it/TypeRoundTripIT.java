package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.SyncEnvironment;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Every supported PostgreSQL type arrives in Neo4j as the documented graph type, through the real stream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TypeRoundTripIT {
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("type_round_trip");
        env.setup();
        env.sql("ALTER TABLE content_items ADD COLUMN t_small smallint, ADD COLUMN t_int integer, ADD COLUMN t_numeric numeric(20, 6), "
                + "ADD COLUMN t_real real, ADD COLUMN t_double double precision, ADD COLUMN t_bool boolean, ADD COLUMN t_varchar varchar(20), "
                + "ADD COLUMN t_date date, ADD COLUMN t_timestamp timestamp, ADD COLUMN t_json json, ADD COLUMN t_texts text[], "
                + "ADD COLUMN t_ints integer[], ADD COLUMN t_bytes bytea, ADD COLUMN t_uuid uuid");
        env.setup(); // refreshes the version trigger for the new columns
        env.startService();
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldStoreEverySupportedTypeAsItsGraphType() throws Exception {
        UUID id = UUID.randomUUID();
        UUID other = UUID.fromString("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, created_at, t_small, t_int, t_numeric, t_real, t_double, t_bool, "
                + "t_varchar, t_date, t_timestamp, t_json, t_texts, t_ints, t_bytes, t_uuid, view_count) VALUES (?, ?, ?, 'types', "
                + "'2024-02-29 13:14:15.123456+05:30', 32767, -2147483648, 12345678901234.123456, 0.1, 1e-300, true, 'short', "
                + "'2024-02-29', '2024-02-29 01:02:03.5', '{\"b\": 1, \"a\": [true, null]}', ARRAY['a,b', 'with \"quote\"', 'NULL', ''], "
                + "ARRAY[1, -2, 3], '\\x00ff10'::bytea, ?, 9223372036854775807)", id, id, id, other);
        env.awaitCaughtUp(Duration.ofSeconds(60));

        Map<String, Object> n = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c", Map.of("id", id.toString())).get(0).get("c").asMap();
        assertThat(n).containsEntry("tSmall", 32767L).containsEntry("tInt", -2147483648L).containsEntry("viewCount", Long.MAX_VALUE)
                .containsEntry("tNumeric", "12345678901234.123456").containsEntry("tReal", 0.1).containsEntry("tDouble", 1e-300)
                .containsEntry("tBool", true).containsEntry("tVarchar", "short").containsEntry("tDate", LocalDate.of(2024, 2, 29))
                .containsEntry("tTimestamp", LocalDateTime.of(2024, 2, 29, 1, 2, 3, 500_000_000))
                .containsEntry("tJson", "{\"a\":[true,null],\"b\":1}")
                .containsEntry("tTexts", List.of("a,b", "with \"quote\"", "NULL", ""))
                .containsEntry("tInts", List.of(1L, -2L, 3L))
                .containsEntry("tUuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat((byte[]) n.get("tBytes")).containsExactly(0x00, 0xff, 0x10);
        assertThat(((ZonedDateTime) n.get("createdAt")).toInstant()).isEqualTo(java.time.OffsetDateTime.parse("2024-02-29T13:14:15.123456+05:30").toInstant());
    }

    @Test
    void shouldRemovePropertyWhenColumnBecomesNull() throws Exception {
        UUID id = UUID.randomUUID();
        env.sql("INSERT INTO content_items (id, tenant_id, project_id, title, t_int) VALUES (?, ?, ?, 'nullable', 5)", id, id, id);
        env.sql("UPDATE content_items SET t_int = NULL WHERE id = ?", id);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        Map<String, Object> n = env.cypher("MATCH (c:ContentItem {id: $id}) RETURN c", Map.of("id", id.toString())).get(0).get("c").asMap();
        assertThat(n).doesNotContainKey("tInt").containsEntry("pgVersion", 2L);
    }
}
