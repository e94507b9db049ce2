package io.nexussync.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.MappingLoader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class WatermarkWindowsTest {
    private static final TableId ITEMS = TableId.parse("public.content_items");
    private static final TableId TAGS = TableId.parse("public.tags");
    private static final TableId TAGGED = TableId.parse("public.content_tags");

    private final WatermarkWindows windows = new WatermarkWindows(MappingLoader.builtIn());

    @Test
    void shouldLetInOnlyTheRowsThatNoStreamedChangeTouchedWhileTheWindowWasOpen() {
        windows.register("1.1", ITEMS, List.of(item("a", 1), item("b", 1), item("c", 1)));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));
        windows.observe(new RowChange.Update(ITEMS, null, item("b", 2)));
        windows.observe(new RowChange.Delete(ITEMS, Map.of("id", "c")));
        windows.observe(new RowChange.Update(TAGS, null, Map.of("id", "a", "name", "same key, other table")));

        assertThat(ids(windows.highWatermark("1.1"))).containsExactly("a");
    }

    @Test
    void aWitnessLetsNothingInAndReportsEveryKeyTheStreamChangedWhileItWasOpen() throws Exception {
        CompletableFuture<java.util.Set<String>> seen = windows.registerWitness("verify-1", TAGGED);
        windows.observe(new RowChange.Delete(TAGGED, pair("i", "before")));
        windows.lowWatermark(WatermarkWindows.lowContent("verify-1", TAGGED));
        windows.observe(new RowChange.Insert(TAGGED, pair("i", "t1")));
        windows.observe(new RowChange.Delete(TAGGED, pair("i", "t1")));
        windows.observe(new RowChange.Insert(ITEMS, item("other table", 1)));

        assertThat(windows.highWatermark("verify-1")).as("nothing to apply").isNull();
        assertThat(seen.get()).containsExactly("i\u0000t1");
    }

    @Test
    void aWitnessOfATruncatedTableReportsEveryKey() throws Exception {
        CompletableFuture<java.util.Set<String>> seen = windows.registerWitness("verify-2", ITEMS);
        windows.lowWatermark(WatermarkWindows.lowContent("verify-2", ITEMS));
        windows.observe(new RowChange.Truncate(List.of(ITEMS), false, false));

        windows.highWatermark("verify-2");

        assertThat(seen.get()).contains(WatermarkWindows.EVERY_KEY);
    }

    @Test
    void shouldIgnoreChangesBeforeTheLowWatermark() {
        windows.register("1.1", ITEMS, List.of(item("a", 1)));
        windows.observe(new RowChange.Update(ITEMS, null, item("a", 1)));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));

        assertThat(ids(windows.highWatermark("1.1"))).containsExactly("a");
    }

    @Test
    void shouldCountAKeyMovedAwayAsTouched() {
        windows.register("1.1", ITEMS, List.of(item("old", 1)));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));
        windows.observe(new RowChange.Update(ITEMS, Map.of("id", "old"), item("new", 2)));

        assertThat(windows.highWatermark("1.1")).isEmpty();
    }

    @Test
    void shouldKeyJoinTableRowsByTheirPair() {
        windows.register("1.1", TAGGED, List.of(pair("i", "t1"), pair("i", "t2")));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", TAGGED));
        windows.observe(new RowChange.Insert(TAGGED, pair("i", "t2")));

        assertThat(windows.highWatermark("1.1")).extracting(r -> ((RowChange.Insert) r).newValues().get("tag_id")).containsExactly("t1");
    }

    @Test
    void shouldLetNothingInAfterATruncateOfTheTable() {
        windows.register("1.1", ITEMS, List.of(item("a", 1)));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));
        windows.observe(new RowChange.Truncate(List.of(ITEMS), false, false));

        assertThat(windows.highWatermark("1.1")).isEmpty();
    }

    @Test
    void shouldIgnoreAHighWatermarkOfAChunkItDoesNotKnow() {
        windows.lowWatermark(WatermarkWindows.lowContent("9.9", ITEMS));
        assertThat(windows.highWatermark("9.9")).isNull();

        windows.register("1.1", ITEMS, List.of(item("a", 1)));
        windows.forget("1.1");
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));
        assertThat(windows.highWatermark("1.1")).isNull();
    }

    @Test
    void shouldReportTheChunkOnceTheGraphCommittedIt() {
        CompletableFuture<Long> applied = windows.register("1.1", ITEMS, List.of(item("a", 1)));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));
        windows.highWatermark("1.1");
        assertThat(applied).isNotDone();

        windows.applied("1.1", 1);
        assertThat(applied).isCompletedWithValue(1L);
    }

    @Test
    void shouldForgetOpenWindowsWhenTheStreamRestarts() {
        windows.register("1.1", ITEMS, List.of(item("a", 1)));
        windows.lowWatermark(WatermarkWindows.lowContent("1.1", ITEMS));
        windows.streamRestarted();

        assertThat(windows.anyOpen()).isFalse();
        assertThat(windows.highWatermark("1.1")).as("its low watermark was not seen in this stream session").isNull();
    }

    private static Map<String, Object> item(String id, long version) {
        return Map.of("id", id, "title", "t", "pg_version", version);
    }

    private static Map<String, Object> pair(String content, String tag) {
        return Map.of("content_id", content, "tag_id", tag, "weight", 1.0);
    }

    private static List<Object> ids(List<RowChange> rows) {
        return rows.stream().map(r -> ((RowChange.Insert) r).newValues().get("id")).toList();
    }
}
