package io.nexussync.kafka.records;

import static io.nexussync.kafka.records.ChangeRecordCodecTest.AUDIT_LOG;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.CONTENT_ITEMS;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.MESSAGES;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.THREADS;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.THREAD_CONTENT;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.row;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.streamed;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The record key: one per graph entity, the same for all its changes, never shared by two. */
class ChangeRecordKeyTest {
    private static final TableId CONTENT_TAGS = new TableId("public", "content_tags");

    private final ChangeRecordCodec codec = new ChangeRecordCodec(MappingLoader.builtIn());

    private String key(ChangeRecordCodec codec, RowChange change) {
        ChangeRecord record = codec.encode(streamed(change));
        assertThat(record).as("published: %s", change).isNotNull();
        return record.key();
    }

    private String key(RowChange change) {
        return key(codec, change);
    }

    @Test
    void shouldGiveEveryChangeToOneNodeTheSameKey() {
        String inserted = key(new RowChange.Insert(THREADS, row("id", "t-1", "title", "Plans", "pg_version", 1L)));
        String updated = key(new RowChange.Update(THREADS, null, row("id", "t-1", "title", "Plans 2", "pg_version", 2L)));
        String deleted = key(new RowChange.Delete(THREADS, row("id", "t-1")));

        assertThat(updated).isEqualTo(inserted);
        assertThat(deleted).isEqualTo(inserted);
        assertThat(inserted).isEqualTo("[\"node\",\"Thread\",\"t-1\"]");
    }

    @Test
    void shouldKeyAnUpdateThatChangedTheKeyByTheNewIdentity() {
        String changed = key(new RowChange.Update(THREADS, row("id", "t-1"), row("id", "t-2", "title", "Plans")));

        assertThat(changed).isEqualTo(key(new RowChange.Insert(THREADS, row("id", "t-2"))))
                .isNotEqualTo(key(new RowChange.Insert(THREADS, row("id", "t-1"))));
    }

    @Test
    void shouldKeyAnUpdateWithTheFullOldRowByItsIdentity() {
        // replica identity FULL: the old image comes with every update, key unchanged
        String full = key(new RowChange.Update(THREADS, row("id", "t-1", "title", "Plans"), row("id", "t-1", "title", "Plans 2")));

        assertThat(full).isEqualTo(key(new RowChange.Insert(THREADS, row("id", "t-1"))));
    }

    @Test
    void shouldKeyAnUpdateWithAToastedValueByItsIdentity() {
        assertThat(key(new RowChange.Update(MESSAGES, null, row("id", "m-1", "body", Unchanged.TOAST))))
                .isEqualTo(key(new RowChange.Delete(MESSAGES, row("id", "m-1"))));
    }

    @Test
    void shouldGiveEveryChangeToOneRelationshipPairTheSameKey() {
        String inserted = key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "t-1", "content_id", "c-1", "position", 1L)));
        String updated = key(new RowChange.Update(THREAD_CONTENT, null, row("thread_id", "t-1", "content_id", "c-1", "position", 2L)));
        String deleted = key(new RowChange.Delete(THREAD_CONTENT, row("thread_id", "t-1", "content_id", "c-1")));
        String reinserted = key(new RowChange.Insert(THREAD_CONTENT, row("position", 3L, "content_id", "c-1", "thread_id", "t-1")));

        assertThat(List.of(updated, deleted, reinserted)).containsOnly(inserted);
        assertThat(inserted).isEqualTo("[\"rel\",\"INCLUDES\",\"Thread\",\"t-1\",\"ContentItem\",\"c-1\"]");
        assertThat(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "t-1", "content_id", "c-2")))).isNotEqualTo(inserted);
        assertThat(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "t-2", "content_id", "c-1")))).isNotEqualTo(inserted);
    }

    @Test
    void shouldKeyAPairThatMovedByItsNewPair() {
        String moved = key(new RowChange.Update(THREAD_CONTENT, row("thread_id", "t-1", "content_id", "c-1"),
                row("thread_id", "t-1", "content_id", "c-2")));

        assertThat(moved).isEqualTo(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "t-1", "content_id", "c-2"))));
    }

    @Test
    void shouldNeverGiveTwoEntitiesOneKeyWhateverTheirIdentitiesHold() {
        List<String> ids = List.of("a", "b", "a\",\"b", "[\"a\",\"b\"]", "a\u0000b", "a\\", "\\", "\"", "", "truncate",
                "[\"node\",\"Thread\",\"a\"]", "a,b", "a b", "A", "1", "01");
        List<String> keys = new ArrayList<>();
        for (String id : ids) {
            keys.add(key(new RowChange.Insert(THREADS, row("id", id))));
            keys.add(key(new RowChange.Insert(CONTENT_ITEMS, row("id", id))));
        }
        for (String from : ids) {
            for (String to : ids) {
                keys.add(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", from, "content_id", to))));
                keys.add(key(new RowChange.Insert(CONTENT_TAGS, row("content_id", from, "tag_id", to))));
            }
        }
        keys.add(key(new RowChange.Truncate(List.of(THREADS), false, false)));

        assertThat(new HashSet<>(keys)).hasSameSizeAs(keys);
        // the join tables' own pair key puts a NUL between the two ends: these two pairs would share it
        assertThat(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "a\u0000b", "content_id", "c"))))
                .isNotEqualTo(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "a", "content_id", "b\u0000c"))));
        // parts joined by any one separator: ends that carry the separator and the label between them would meet
        for (String separator : List.of("\u0000", ",", "|", ":", "/", "\",\"", " ")) {
            String both = separator + "ContentItem" + separator;
            assertThat(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "a" + both + "b", "content_id", "c"))))
                    .as("separator %s", separator)
                    .isNotEqualTo(key(new RowChange.Insert(THREAD_CONTENT, row("thread_id", "a", "content_id", "b" + both + "c"))));
        }
    }

    @Test
    void shouldKeepCompositeKeysApartWhateverTheirPartsHold() {
        Mapping composite = MappingLoader.parse(new ByteArrayInputStream("""
                name: shop
                nodes:
                  - table: shop.products
                    label: Product
                    key: [store_id, sku]
                  - table: shop.stores
                    label: Store
                    key: id
                """.getBytes(StandardCharsets.UTF_8)), "test");
        ChangeRecordCodec shop = new ChangeRecordCodec(composite);
        TableId products = new TableId("shop", "products");
        List<List<String>> keyParts = List.of(List.of("a", "b"), List.of("a\",\"b", ""), List.of("a", "\",\"b"), List.of("[\"a\"", "\"b\"]"),
                List.of("a,b", ""), List.of("", "a,b"), List.of("a\u0000", "b"), List.of("a", "\u0000b"));
        Set<String> keys = new HashSet<>();
        for (List<String> parts : keyParts) {
            keys.add(key(shop, new RowChange.Insert(products, row("store_id", parts.get(0), "sku", parts.get(1)))));
        }
        // a single-key node whose id is a composite identity's text
        keys.add(key(shop, new RowChange.Insert(new TableId("shop", "stores"), row("id", "[\"a\",\"b\"]"))));

        assertThat(keys).hasSize(keyParts.size() + 1);
        assertThat(key(shop, new RowChange.Delete(products, row("store_id", "a", "sku", "b"))))
                .isEqualTo(key(shop, new RowChange.Insert(products, row("sku", "b", "store_id", "a", "price", "9.99"))));
    }

    @Test
    void shouldKeyATruncateByNoEntity() {
        assertThat(key(new RowChange.Truncate(List.of(THREADS, MESSAGES), true, false))).isEqualTo("truncate");
        assertThat(key(new RowChange.Truncate(List.of(AUDIT_LOG, THREAD_CONTENT), false, true))).isEqualTo("truncate");
    }

    @Test
    void shouldKeyARowThatNamesNoEntityByItsTable() {
        // a null key column (the planner refuses the row) and a delete whose old key lacks an end of the pair
        assertThat(key(new RowChange.Insert(THREADS, row("id", null, "title", "x")))).isEqualTo("[\"table\",\"public\",\"threads\"]");
        assertThat(key(new RowChange.Delete(THREAD_CONTENT, row("thread_id", "t-1")))).isEqualTo("[\"table\",\"public\",\"thread_content\"]");
    }
}
