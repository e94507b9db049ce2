package io.nexussync.postgres.pgoutput;

import static io.nexussync.testkit.pgoutput.PgOutputMessages.kind;
import static io.nexussync.testkit.pgoutput.PgOutputMessages.relation;
import static io.nexussync.testkit.pgoutput.PgOutputMessages.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.testkit.pgoutput.PgOutputMessages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

    private static final int ORDERS = 16384;
    private static final TableId ORDERS_TABLE = new TableId("shop", "orders");
    // 2024-01-01T00:00:00Z is 8766 days after the PostgreSQL epoch
    private static final long JAN_2024_MICROS = 8766L * 86_400 * 1_000_000;

    private PgOutputDecoder decoder;

    @BeforeEach
    void describeOrders() {
        decoder = new PgOutputDecoder();
        // id int8 key, note text, body text (TOASTable), placed date, tags text[], doc jsonb
        assertThat(decoder.decode(relation(ORDERS, "shop", "orders", 'd')
                .key("id", 20)
                .column("note", 1043, 104)
                .column("body", 25)
                .column("placed", 1082)
                .column("tags", 1009)
                .column("doc", 3802)
                .build())).isNull();
    }

    @Test
    void begin_carries_final_lsn_commit_time_and_unsigned_xid() {
        CaptureEvent event = decoder.decode(PgOutputMessages.begin(0x1_0000_00A0L, JAN_2024_MICROS + 123_456, -2));

        assertThat(event).isEqualTo(new CaptureEvent.Begin(4_294_967_294L, Lsn.valueOf("1/A0"),
                Instant.parse("2024-01-01T00:00:00.123456Z")));
    }

    @Test
    void commit_time_before_the_postgres_epoch_is_negative_micros() {
        CaptureEvent event = decoder.decode(PgOutputMessages.commit(0x10L, 0x20L, -1));

        assertThat(event).isEqualTo(new CaptureEvent.Commit(Lsn.of(0x10), Lsn.of(0x20), Instant.parse("1999-12-31T23:59:59.999999Z")));
    }

    @Test
    void begin_prepare_carries_the_prepare_position_its_end_time_unsigned_xid_and_global_id() {
        CaptureEvent event = decoder.decode(PgOutputMessages.beginPrepare(0x1_0000_00A0L, 0x1_0000_00F8L, JAN_2024_MICROS + 7, -3, "app:order-17"));

        assertThat(event).isEqualTo(new CaptureEvent.BeginPrepare(4_294_967_293L, Lsn.valueOf("1/A0"), Lsn.valueOf("1/F8"),
                Instant.parse("2024-01-01T00:00:00.000007Z"), "app:order-17"));
    }

    @Test
    void prepare_carries_the_same_positions_as_its_begin() {
        CaptureEvent event = decoder.decode(PgOutputMessages.prepare(0xA0L, 0xF8L, JAN_2024_MICROS, 42, "nexus_sync:7f3c"));

        assertThat(event).isEqualTo(new CaptureEvent.Prepare(42, Lsn.of(0xA0), Lsn.of(0xF8), Instant.parse("2024-01-01T00:00:00Z"), "nexus_sync:7f3c"));
    }

    @Test
    void commit_prepared_carries_its_own_position_and_commit_time() {
        CaptureEvent event = decoder.decode(PgOutputMessages.commitPrepared(0x200L, 0x248L, JAN_2024_MICROS + 1_000_000, 42, "app:order-17"));

        assertThat(event).isEqualTo(new CaptureEvent.CommitPrepared(42, Lsn.of(0x200), Lsn.of(0x248), Instant.parse("2024-01-01T00:00:01Z"),
                "app:order-17"));
    }

    @Test
    void rollback_prepared_carries_the_end_of_the_prepare_and_its_own_end_and_the_rollback_time() {
        CaptureEvent event = decoder.decode(PgOutputMessages.rollbackPrepared(0xF8L, 0x300L, JAN_2024_MICROS, JAN_2024_MICROS + 2_000_000, 42,
                "app:order-17"));

        assertThat(event).isEqualTo(new CaptureEvent.RollbackPrepared(42, Lsn.of(0xF8), Lsn.of(0x300), Instant.parse("2024-01-01T00:00:02Z"),
                "app:order-17"));
    }

    @Test
    void a_prepared_transaction_decodes_like_a_transaction_between_begin_prepare_and_prepare() {
        List<CaptureEvent> events = java.util.stream.Stream.of(
                        PgOutputMessages.beginPrepare(0xA0, 0xF8, 0, 9, "app:1"),
                        PgOutputMessages.origin(0x5, "elsewhere"),
                        kind('I').int32(ORDERS).int8('N').tuple(fullRow("1", "x")).build(),
                        PgOutputMessages.prepare(0xA0, 0xF8, 0, 9, "app:1"),
                        PgOutputMessages.commitPrepared(0x200, 0x248, 0, 9, "app:1"))
                .map(decoder::decode).filter(java.util.Objects::nonNull).toList();

        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("BeginPrepare", "Change", "Prepare", "CommitPrepared");
        assertThat(decoder.origin()).as("the origin belongs to the prepared transaction").contains("elsewhere");
        decoder.decode(PgOutputMessages.beginPrepare(0x300, 0x348, 0, 10, "app:2"));
        assertThat(decoder.origin()).as("a Begin Prepare starts a transaction of its own").isEmpty();
    }

    @Test
    void origin_updates_state_only_and_begin_clears_it() {
        decoder.decode(PgOutputMessages.begin(0x10, 0, 1));
        assertThat(decoder.decode(PgOutputMessages.origin(0x5, "pg_node_7"))).isNull();
        assertThat(decoder.origin()).contains("pg_node_7");

        decoder.decode(PgOutputMessages.begin(0x20, 0, 2));
        assertThat(decoder.origin()).isEmpty();
    }

    @Test
    void relation_is_cached_with_key_columns_and_typmod() {
        RelationDescriptor orders = decoder.relation(ORDERS).orElseThrow();

        assertThat(orders.table()).isEqualTo(ORDERS_TABLE);
        assertThat(orders.replicaIdentity()).isEqualTo('d');
        assertThat(orders.columns()).hasSize(6).element(1).isEqualTo(new ColumnDescriptor("note", 1043, 104, false));
        assertThat(orders.keyColumnNames()).containsExactly("id");
        assertThat(orders.keyColumns()).containsExactly(new ColumnDescriptor("id", 20, -1, true));
        assertThat(decoder.relation(1)).isEmpty();
    }

    @Test
    void a_later_relation_message_replaces_the_earlier_shape() {
        decoder.decode(relation(ORDERS, "shop", "orders", 'f').key("id", 20).key("extra", 25).build());

        assertThat(decoder.relation(ORDERS).orElseThrow().keyColumnNames()).containsExactly("id", "extra");
        assertThat(decoder.relation(ORDERS).orElseThrow().replicaIdentity()).isEqualTo('f');
    }

    @Test
    void empty_namespace_means_pg_catalog_and_names_are_utf8() {
        decoder.decode(relation(7, "", "tåble ✓", 'n').key("kø", 23).build());

        assertThat(decoder.relation(7).orElseThrow().table()).isEqualTo(new TableId("pg_catalog", "tåble ✓"));
        assertThat(decoder.relation(7).orElseThrow().keyColumnNames()).containsExactly("kø");
    }

    @Test
    void type_message_updates_state_only() {
        assertThat(decoder.decode(PgOutputMessages.type(90210, "shop", "mood"))).isNull();

        assertThat(decoder.type(90210)).contains(new TypeDescriptor(90210, "shop", "mood"));
        assertThat(decoder.type(1)).isEmpty();
    }

    @Test
    void insert_converts_values_in_column_order() {
        ByteBuffer insert = kind('I').int32(ORDERS).int8('N').tuple(tuple()
                .text("42").text("hello").nul().text("2024-02-29").text("{a,\"b c\",NULL}").text("{\"b\": 1, \"a\": [1.50]}"))
                .build();

        RowChange.Insert change = insertOf(decoder.decode(insert));

        assertThat(change.table()).isEqualTo(ORDERS_TABLE);
        assertThat(change.newValues()).containsExactly(
                entry("id", 42L),
                entry("note", "hello"),
                entry("body", null),
                entry("placed", LocalDate.of(2024, 2, 29)),
                entry("tags", java.util.Arrays.asList("a", "b c", null)),
                entry("doc", new JsonText("{\"a\":[1.5],\"b\":1}")));
        assertThat(change.newValues()).containsKey("body");
    }

    @Test
    void binary_values_come_through_as_bytes() {
        decoder.decode(relation(9, "public", "blobs", 'd').key("id", 23).column("data", 17).build());
        ByteBuffer insert = kind('I').int32(9).int8('N').tuple(tuple().text("1").binary(new byte[] {0, 1, (byte) 0xff})).build();

        RowChange.Insert change = insertOf(decoder.decode(insert));

        assertThat((byte[]) change.newValues().get("data")).containsExactly(0, 1, 0xff);
    }

    @Test
    void update_without_old_tuple_has_null_old_key() {
        ByteBuffer update = kind('U').int32(ORDERS).int8('N').tuple(fullRow("1", "x")).build();

        RowChange.Update change = updateOf(decoder.decode(update));

        assertThat(change.oldKey()).isNull();
        assertThat(change.newValues()).containsEntry("id", 1L).containsEntry("note", "x");
    }

    @Test
    void update_with_old_key_keeps_only_the_key_columns() {
        ByteBuffer update = kind('U').int32(ORDERS)
                .int8('K').tuple(tuple().text("1").nul().nul().nul().nul().nul())
                .int8('N').tuple(fullRow("2", "moved"))
                .build();

        RowChange.Update change = updateOf(decoder.decode(update));

        assertThat(change.oldKey()).containsExactly(entry("id", 1L));
        assertThat(change.newValues()).containsEntry("id", 2L).hasSize(6);
    }

    @Test
    void unchanged_toast_column_is_the_marker_never_null() {
        ByteBuffer update = kind('U').int32(ORDERS).int8('N')
                .tuple(tuple().text("1").text("n").unchangedToast().nul().nul().nul())
                .build();

        RowChange.Update change = updateOf(decoder.decode(update));

        assertThat(change.newValues()).containsEntry("body", Unchanged.TOAST);
        assertThat(change.newValues().get("body")).isNotNull();
        assertThat(change.newValues().get("placed")).isNull();
    }

    @Test
    void update_with_full_old_row_keeps_every_column() {
        ByteBuffer update = kind('U').int32(ORDERS)
                .int8('O').tuple(fullRow("1", "before"))
                .int8('N').tuple(fullRow("1", "after"))
                .build();

        RowChange.Update change = updateOf(decoder.decode(update));

        assertThat(change.oldKey()).hasSize(6).containsEntry("note", "before").containsEntry("body", null);
        assertThat(change.newValues()).containsEntry("note", "after");
    }

    @Test
    void delete_with_key_keeps_only_the_key() {
        ByteBuffer delete = kind('D').int32(ORDERS).int8('K').tuple(tuple().text("5").nul().nul().nul().nul().nul()).build();

        assertThat(decoder.decode(delete)).isEqualTo(new CaptureEvent.Change(new RowChange.Delete(ORDERS_TABLE, Map.of("id", 5L))));
    }

    @Test
    void delete_with_full_old_row_keeps_every_column_and_its_nulls() {
        ByteBuffer delete = kind('D').int32(ORDERS).int8('O').tuple(fullRow("5", "gone")).build();

        RowChange.Delete change = (RowChange.Delete) ((CaptureEvent.Change) decoder.decode(delete)).change();

        assertThat(change.oldKey()).hasSize(6).containsEntry("id", 5L).containsEntry("note", "gone").containsEntry("doc", null);
        assertThat(change.oldKey().keySet()).containsExactly("id", "note", "body", "placed", "tags", "doc");
    }

    @Test
    void truncate_names_every_table_and_its_options() {
        decoder.decode(relation(ORDERS + 1, "shop", "lines", 'd').key("id", 20).build());

        assertThat(decoder.decode(PgOutputMessages.truncate(1, ORDERS, ORDERS + 1))).isEqualTo(new CaptureEvent.Change(
                new RowChange.Truncate(List.of(ORDERS_TABLE, new TableId("shop", "lines")), true, false)));
        assertThat(decoder.decode(PgOutputMessages.truncate(2, ORDERS))).isEqualTo(new CaptureEvent.Change(
                new RowChange.Truncate(List.of(ORDERS_TABLE), false, true)));
        assertThat(decoder.decode(PgOutputMessages.truncate(3, ORDERS))).isEqualTo(new CaptureEvent.Change(
                new RowChange.Truncate(List.of(ORDERS_TABLE), true, true)));
    }

    @Test
    void logical_message_carries_the_transactional_flag_prefix_and_content() {
        byte[] payload = "{\"ack\":7}".getBytes(StandardCharsets.UTF_8);

        CaptureEvent.Message tx = (CaptureEvent.Message) decoder.decode(PgOutputMessages.message(true, 0x99, "nexus", payload));
        CaptureEvent.Message nonTx = (CaptureEvent.Message) decoder.decode(PgOutputMessages.message(false, 0x9A, "", new byte[0]));

        assertThat(tx.transactional()).isTrue();
        assertThat(tx.lsn()).isEqualTo(Lsn.of(0x99));
        assertThat(tx.prefix()).isEqualTo("nexus");
        assertThat(tx.content()).isEqualTo(payload);
        assertThat(nonTx.transactional()).isFalse();
        assertThat(nonTx.prefix()).isEmpty();
        assertThat(nonTx.content()).isEmpty();
    }

    @Test
    void changes_on_an_unknown_relation_fail_naming_kind_and_id() {
        ByteBuffer insert = kind('I').int32(999).int8('N').tuple(tuple().text("1")).build();
        ByteBuffer update = kind('U').int32(999).int8('N').tuple(tuple().text("1")).build();
        ByteBuffer delete = kind('D').int32(999).int8('K').tuple(tuple().text("1")).build();

        assertThatThrownBy(() -> decoder.decode(insert)).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("Insert").hasMessageContaining("unknown relation id 999");
        assertThatThrownBy(() -> decoder.decode(update)).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("Update").hasMessageContaining("999");
        assertThatThrownBy(() -> decoder.decode(delete)).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("Delete").hasMessageContaining("999");
        assertThatThrownBy(() -> decoder.decode(PgOutputMessages.truncate(0, ORDERS, 999))).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("Truncate").hasMessageContaining("999");
    }

    @Test
    void unknown_and_empty_messages_fail() {
        assertThatThrownBy(() -> decoder.decode(kind('S').int32(1).build())).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("unknown pgoutput message kind 'S'");
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0x80}))).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("0x80");
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.allocate(0))).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void every_truncation_of_every_message_kind_fails_cleanly() {
        List<ByteBuffer> messages = List.of(
                PgOutputMessages.begin(1, 2, 3),
                PgOutputMessages.commit(1, 2, 3),
                PgOutputMessages.beginPrepare(1, 2, 3, 4, "g"),
                PgOutputMessages.prepare(1, 2, 3, 4, "g"),
                PgOutputMessages.commitPrepared(1, 2, 3, 4, "g"),
                PgOutputMessages.rollbackPrepared(1, 2, 3, 4, 5, "g"),
                PgOutputMessages.origin(1, "o"),
                PgOutputMessages.type(1, "s", "t"),
                relation(77, "s", "t", 'd').key("id", 23).build(),
                kind('I').int32(ORDERS).int8('N').tuple(fullRow("1", "x")).build(),
                kind('U').int32(ORDERS).int8('K').tuple(fullRow("1", "x")).int8('N').tuple(fullRow("1", "x")).build(),
                kind('D').int32(ORDERS).int8('O').tuple(fullRow("1", "x")).build(),
                PgOutputMessages.truncate(1, ORDERS, ORDERS),
                PgOutputMessages.message(true, 1, "p", new byte[] {1, 2, 3}));

        for (ByteBuffer message : messages) {
            byte[] whole = message.array();
            for (int length = 1; length < whole.length; length++) {
                PgOutputDecoder fresh = new PgOutputDecoder();
                fresh.decode(ByteBuffer.wrap(relationOfOrders()));
                ByteBuffer cut = ByteBuffer.wrap(whole, 0, length);
                assertThatThrownBy(() -> fresh.decode(cut))
                        .as("%s cut to %d of %d bytes", (char) whole[0], length, whole.length)
                        .isInstanceOf(PgOutputException.class)
                        .hasMessageContaining("truncated");
            }
        }
    }

    @Test
    void tuple_width_must_match_the_relation() {
        ByteBuffer insert = kind('I').int32(ORDERS).int8('N').tuple(tuple().text("1").text("x")).build();

        assertThatThrownBy(() -> decoder.decode(insert)).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("shop.orders").hasMessageContaining("2 column(s)").hasMessageContaining("6");
    }

    @Test
    void bad_markers_fail() {
        ByteBuffer insert = kind('I').int32(ORDERS).int8('X').build();
        ByteBuffer delete = kind('D').int32(ORDERS).int8('N').tuple(fullRow("1", "x")).build();

        assertThatThrownBy(() -> decoder.decode(insert)).isInstanceOf(PgOutputException.class).hasMessageContaining("'N'");
        assertThatThrownBy(() -> decoder.decode(delete)).isInstanceOf(PgOutputException.class).hasMessageContaining("'K' or 'O'");
    }

    @Test
    void unknown_value_kind_fails() {
        byte[] raw = kind('I').int32(ORDERS).int8('N').tuple(fullRow("1", "x")).toBytes();
        raw[raw.length - 1] = 'z'; // the last column's kind byte (it is null, so one byte)

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(raw))).isInstanceOf(PgOutputException.class)
                .hasMessageContaining("unknown tuple value kind 'z'").hasMessageContaining("shop.orders.doc");
    }

    @Test
    void a_value_that_does_not_convert_is_carried_as_such_naming_the_column_so_that_it_costs_only_its_row() {
        ByteBuffer insert = kind('I').int32(ORDERS).int8('N')
                .tuple(tuple().text("1").nul().nul().text("infinity").nul().nul()).build();

        RowChange.Insert change = (RowChange.Insert) ((CaptureEvent.Change) decoder.decode(insert)).change();

        assertThat(change.newValues().get("placed")).isInstanceOfSatisfying(Unconvertible.class,
                bad -> {
                    assertThat(bad.problem()).as("what may be shown to anyone: table, column, type")
                            .isEqualTo("shop.orders.placed: its date value has no graph form");
                    assertThat(bad.detail()).as("for the dead letter and the log").contains("infinity");
                });
        assertThat(change.newValues().get("id")).isEqualTo(1L);
    }

    @Test
    void reads_from_the_buffer_position_without_moving_it_whatever_its_byte_order() {
        byte[] message = PgOutputMessages.commit(0x10, 0x20, 0).array();
        ByteBuffer buffer = ByteBuffer.allocate(message.length + 3);
        buffer.put(new byte[] {9, 9, 9}).put(message).position(3);
        buffer.order(ByteOrder.LITTLE_ENDIAN);

        CaptureEvent event = decoder.decode(buffer);

        assertThat(event).isEqualTo(new CaptureEvent.Commit(Lsn.of(0x10), Lsn.of(0x20), Instant.parse("2000-01-01T00:00:00Z")));
        assertThat(buffer.position()).isEqualTo(3);
    }

    private static byte[] relationOfOrders() {
        return relation(ORDERS, "shop", "orders", 'd')
                .key("id", 20).column("note", 1043).column("body", 25).column("placed", 1082).column("tags", 1009).column("doc", 3802)
                .build().array();
    }

    private static PgOutputMessages.Tuple fullRow(String id, String note) {
        return tuple().text(id).text(note).nul().nul().nul().nul();
    }

    private static RowChange.Insert insertOf(CaptureEvent event) {
        return (RowChange.Insert) ((CaptureEvent.Change) event).change();
    }

    private static RowChange.Update updateOf(CaptureEvent event) {
        return (RowChange.Update) ((CaptureEvent.Change) event).change();
    }
}
