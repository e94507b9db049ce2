package io.nexussync.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.mapping.MappingLoader;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeSchedulerTest {
    private static final TableId CONTENT_ITEMS = TableId.parse("content_items");
    private static final TableId MESSAGES = TableId.parse("messages");
    private static final TableId THREADS = TableId.parse("threads");
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final long NO_BYTE_LIMIT = Long.MAX_VALUE;

    private final ChangeScheduler scheduler = new ChangeScheduler(MappingLoader.builtIn(), new LaneClassifier(MappingLoader.builtIn(), 1_000));
    private long ordinal;

    @Test
    void shouldPutCriticalChangeInTheNextBatchWhateverLowBacklogIsAhead() {
        for (int i = 0; i < 100; i++) {
            add(item("c" + i, "project", 1L, 1));   // first sight of each row: normal (no previous image)
        }
        for (int i = 0; i < 100; i++) {
            add(item("c" + i, "project", 2L, 2));   // only view_count changed: low
        }
        ScheduledBatch first = scheduler.next(10, NO_BYTE_LIMIT, false);
        complete(first);
        long critical = add(item("c99", "private", 3L, 3));

        ScheduledBatch next = scheduler.next(10, NO_BYTE_LIMIT, false);

        assertThat(next.lane()).isEqualTo(Lane.CRITICAL);
        assertThat(Arrays.stream(next.ordinals()).boxed().toList()).contains(critical);
    }

    @Test
    void shouldCarryEarlierLowChangesOfTheSameEntityWithTheCriticalOneAndKeepTheirOrder() {
        add(item("c1", "project", 1L, 1));
        add(item("c2", "project", 1L, 1));
        long low = add(item("c1", "project", 2L, 2));
        long critical = add(item("c1", "private", 3L, 3));

        ScheduledBatch batch = scheduler.next(1, NO_BYTE_LIMIT, false);

        assertThat(batch.lane()).isEqualTo(Lane.CRITICAL);
        assertThat(Arrays.stream(batch.ordinals()).boxed().toList()).contains(0L, low, critical).doesNotContain(1L);
        // The three changes to c1 coalesced into its last state.
        assertThat(batch.changes()).singleElement().satisfies(c ->
                assertThat(((RowChange.Update) c.change()).newValues()).containsEntry("access_level", "private").containsEntry("pg_version", 3L));
    }

    @Test
    void shouldClassifyByTheColumnsAnUpdateChanges() {
        LaneClassifier lanes = new LaneClassifier(MappingLoader.builtIn(), 10);
        assertThat(classify(lanes, insert(item("c1", "project", 1L, 1)))).isEqualTo(Lane.HIGH);
        assertThat(classify(lanes, update(item("c1", "project", 2L, 2)))).isEqualTo(Lane.LOW);
        assertThat(classify(lanes, update(item("c1", "tenant", 2L, 3)))).isEqualTo(Lane.CRITICAL);
        Map<String, Object> retitled = item("c1", "tenant", 2L, 4);
        retitled.put("title", "new title");
        assertThat(classify(lanes, update(retitled))).isEqualTo(Lane.HIGH);
        assertThat(classify(lanes, update(item("c1", "tenant", 2L, 5)))).as("title back, a high column").isEqualTo(Lane.HIGH);
        assertThat(classify(lanes, update(item("c9", "tenant", 2L, 1)))).as("no previous image").isEqualTo(Lane.NORMAL);
        assertThat(classify(lanes, new RowChange.Delete(CONTENT_ITEMS, Map.of("id", "c1")))).isEqualTo(Lane.CRITICAL);
    }

    @Test
    void shouldNotHandOutAnEntityThatABatchInFlightHolds() {
        add(item("c1", "project", 1L, 1));
        ScheduledBatch inFlight = scheduler.next(10, NO_BYTE_LIMIT, false);
        add(item("c1", "private", 2L, 2));
        add(item("c2", "project", 1L, 1));

        ScheduledBatch meanwhile = scheduler.next(10, NO_BYTE_LIMIT, false);
        assertThat(meanwhile.changes()).extracting(c -> ((RowChange.Insert) c.change()).newValues().get("id")).containsExactly("c2");
        assertThat(scheduler.next(10, NO_BYTE_LIMIT, false)).isNull();

        complete(inFlight);
        assertThat(scheduler.next(10, NO_BYTE_LIMIT, false).changes()).singleElement()
                .satisfies(c -> assertThat(((RowChange.Update) c.change()).newValues()).containsEntry("access_level", "private"));
    }

    @Test
    void shouldNotLookAgainAtChangesWaitingForABatchInFlightUntilItIsDone() {
        for (int i = 0; i < 200; i++) {
            add(item("c" + i, "project", 1L, 1));
        }
        ScheduledBatch inFlight = scheduler.next(1_000, NO_BYTE_LIMIT, false);
        for (int i = 0; i < 200; i++) {
            add(item("c" + i, "project", 2L, 2));
        }
        long before = scheduler.candidatesExamined;
        assertThat(scheduler.next(1_000, NO_BYTE_LIMIT, false)).isNull();
        assertThat(scheduler.candidatesExamined - before).isEqualTo(200);

        // Asked again, after every burst the loop reads: only the one change read since is looked at.
        for (int call = 0; call < 50; call++) {
            assertThat(scheduler.next(1_000, NO_BYTE_LIMIT, false)).isNull();
        }
        long fresh = add(item("n1", "project", 1L, 1));
        ScheduledBatch next = scheduler.next(1_000, NO_BYTE_LIMIT, false);
        assertThat(Arrays.stream(next.ordinals()).boxed().toList()).containsExactly(fresh);
        assertThat(scheduler.candidatesExamined - before).isEqualTo(201);

        // Once the batch in flight is done, everything that waited goes.
        complete(inFlight);
        assertThat(scheduler.next(1_000, NO_BYTE_LIMIT, false).ordinals()).hasSize(200);
    }

    @Test
    void shouldSizeABatchByItsGraphWritesSoABacklogOfUpdatesToFewRowsGoesAtOnce() {
        for (int version = 1; version <= 10; version++) {
            for (int i = 0; i < 100; i++) {
                add(item("c" + i, "project", (long) version, version));
            }
        }

        ScheduledBatch batch = scheduler.next(100, NO_BYTE_LIMIT, false);

        assertThat(batch.changes()).hasSize(100);
        assertThat(batch.ordinals()).hasSize(1_000);
        assertThat(scheduler.isEmpty()).isTrue();
    }

    @Test
    void shouldTakeChangesPointingAtANodeAlongWithItsDelete() {
        add(new RowChange.Insert(THREADS, Map.of("id", "t1", "tenant_id", "x", "project_id", "y", "title", "t", "status", "open")));
        complete(scheduler.next(10, NO_BYTE_LIMIT, false));
        long message = add(new RowChange.Insert(MESSAGES, message("m1", "t1")));   // high: points at t1
        long delete = add(new RowChange.Delete(THREADS, Map.of("id", "t1")));       // critical

        ScheduledBatch batch = scheduler.next(1, NO_BYTE_LIMIT, false);

        // Applied after the delete on its own, the message would bring t1 back as an empty node.
        assertThat(Arrays.stream(batch.ordinals()).boxed().toList()).containsExactly(message, delete);
        assertThat(batch.changes()).extracting(SourceChange::change).first().isInstanceOf(RowChange.Insert.class);
    }

    @Test
    void shouldLetNothingOvertakeATruncateNorItOvertakeAnything() {
        add(item("c1", "project", 1L, 1));
        long truncate = add(new RowChange.Truncate(List.of(CONTENT_ITEMS), false, false));
        long after = add(item("c2", "project", 1L, 1));

        ScheduledBatch first = scheduler.next(10, NO_BYTE_LIMIT, false);
        assertThat(Arrays.stream(first.ordinals()).boxed().toList()).containsExactly(0L);
        assertThat(scheduler.next(10, NO_BYTE_LIMIT, false)).as("the truncate waits for the batch before it").isNull();
        complete(first);
        ScheduledBatch barrier = scheduler.next(10, NO_BYTE_LIMIT, false);
        assertThat(barrier.barrier()).isTrue();
        assertThat(barrier.ordinals()).containsExactly(truncate);
        assertThat(scheduler.next(10, NO_BYTE_LIMIT, false)).as("nothing beside the truncate").isNull();
        complete(barrier);
        assertThat(scheduler.next(10, NO_BYTE_LIMIT, false).ordinals()).containsExactly(after);
    }

    @Test
    void shouldHoldOneImagePerEntityForABacklogOfUpdates() {
        for (int v = 1; v <= 1_000; v++) {
            add(item("hot", "project", (long) v, v));
        }

        assertThat(scheduler.pendingChanges()).isEqualTo(1_000);
        assertThat(scheduler.pendingBytes()).as("one image and a few words per change, not a thousand images").isLessThan(150_000);
        ScheduledBatch batch = scheduler.next(5_000, NO_BYTE_LIMIT, false);
        assertThat(batch.changes()).hasSize(1);
        assertThat(batch.size()).isEqualTo(1_000);
    }

    @Test
    void shouldTakeTheOldestChangesFirstInStreamOrderMode() {
        add(item("c1", "project", 1L, 1));
        add(item("c1", "project", 2L, 2));   // low, coalesces into c1's item
        add(item("c2", "private", 1L, 1));

        ScheduledBatch batch = scheduler.next(1, NO_BYTE_LIMIT, true);

        assertThat(batch.ordinals()).containsExactly(0L, 1L);
    }

    private long add(RowChange change) {
        long mine = ordinal++;
        boolean scheduled = scheduler.add(new SourceChange(change, Lsn.of(0x1000 + mine), T0.plusMillis(mine)), mine, T0);
        assertThat(scheduled).isTrue();
        return mine;
    }

    private long add(Map<String, Object> row) {
        return add(row.get("pg_version").equals(1L) ? insert(row) : update(row));
    }

    private void complete(ScheduledBatch batch) {
        scheduler.done(batch);
    }

    private static Lane classify(LaneClassifier lanes, RowChange change) {
        return lanes.classify(change, Footprint.of(MappingLoader.builtIn(), change));
    }

    private static RowChange insert(Map<String, Object> row) {
        return new RowChange.Insert(CONTENT_ITEMS, row);
    }

    private static RowChange update(Map<String, Object> row) {
        return new RowChange.Update(CONTENT_ITEMS, null, row);
    }

    private static Map<String, Object> item(String id, String accessLevel, Long version, long viewCount) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("tenant_id", "tenant");
        row.put("project_id", "project");
        row.put("title", "title of " + id);
        row.put("access_level", accessLevel);
        row.put("view_count", viewCount);
        row.put("pg_version", version);
        return row;
    }

    private static Map<String, Object> message(String id, String thread) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("thread_id", thread);
        row.put("tenant_id", "tenant");
        row.put("role", "user");
        row.put("pg_version", 1L);
        return row;
    }
}
