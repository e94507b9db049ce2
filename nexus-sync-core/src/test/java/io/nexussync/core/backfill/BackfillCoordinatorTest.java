package io.nexussync.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.TableId;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BackfillCoordinatorTest {
    private static final TableId ITEMS = TableId.parse("public.content_items");

    /**
     * A job queued before the where condition was checked (an earlier version, or a row written by hand): with
     * {@code true) OR (true} every chunk would be {@code WHERE (key) > (last) AND (true) OR (true)}, the first rows
     * again and again. It must fail before its first read.
     */
    @Test
    @Timeout(10)
    void shouldFailAQueuedJobWhoseWhereIsNotOneExpressionBeforeReadingAnything() {
        RecordingStore store = new RecordingStore(new BackfillJob(7, ITEMS, "true) OR (true", null, 0));
        RecordingReader reader = new RecordingReader();
        BackfillCoordinator coordinator = new BackfillCoordinator(store, reader, new WatermarkWindows(MappingLoader.builtIn()),
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1, d -> { }, new Random(1)), Clock.systemUTC(), 100,
                Duration.ofMillis(1), Duration.ofSeconds(1));
        store.coordinator = coordinator;

        coordinator.run();

        assertThat(reader.reads).as("chunks read").isEmpty();
        assertThat(reader.watermarks).as("watermarks written").isEmpty();
        assertThat(store.failures).singleElement().asString()
                .startsWith("#7: the where condition must be one boolean expression").contains("closes no '('");
    }

    private static final class RecordingStore implements BackfillStore {
        private final List<BackfillJob> queue = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        BackfillCoordinator coordinator;

        RecordingStore(BackfillJob job) {
            queue.add(job);
        }

        @Override
        public Optional<BackfillJob> next() {
            if (queue.isEmpty()) {
                coordinator.stop();
                return Optional.empty();
            }
            return Optional.of(queue.remove(0));
        }

        @Override
        public void progressed(BackfillJob job, List<String> lastKey, long rowsDone) {
        }

        @Override
        public void finished(BackfillJob job, long rowsDone) {
        }

        @Override
        public void failed(BackfillJob job, String error) {
            failures.add("#" + job.id() + ": " + error);
        }
    }

    private static final class RecordingReader implements BackfillReader {
        final List<String> reads = new ArrayList<>();
        final List<String> watermarks = new ArrayList<>();

        @Override
        public void emitWatermark(String prefix, String content) {
            watermarks.add(prefix);
        }

        @Override
        public Chunk readChunk(TableId table, String where, List<String> afterKey, int limit) {
            reads.add(where);
            return new Chunk(List.of(), null);
        }
    }
}
