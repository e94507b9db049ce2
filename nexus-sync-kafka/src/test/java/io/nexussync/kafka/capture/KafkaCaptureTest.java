package io.nexussync.kafka.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.capture.ChangeFeed;
import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.kafka.records.ChangeRecordCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The capture loop against Kafka's own MockProducer: what goes into which Kafka transaction, and that the feed is released
 * only past what a committed Kafka transaction holds. (KafkaRolesIT runs it against a real broker and SIGKILLs.)
 */
class KafkaCaptureTest {
    private static final TableId THREADS = new TableId("public", "threads");
    private static final TableId CONTENT = new TableId("public", "content_items");
    private static final TableId THREAD_CONTENT = new TableId("public", "thread_content");
    private static final TableId UNMAPPED = new TableId("public", "audit_trail");
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final ScriptedFeed feed = new ScriptedFeed();
    private final List<CriticalDecision> finished = new ArrayList<>();
    private final CaptureProgress progress = new CaptureProgress("progress", "slot_a");

    private KafkaCapture capture(int maxChanges) {
        return capture(maxChanges, false);
    }

    private KafkaCapture capture(int maxChanges, boolean lanes) {
        producer.initTransactions();
        PreparedTransactions prepared = new PreparedTransactions() {
            @Override
            public List<Prepared> list() {
                return List.of();
            }

            @Override
            public Finished finish(CriticalDecision decision) {
                finished.add(decision);
                return Finished.NOT_PREPARED;
            }
        };
        KafkaCapture capture = new KafkaCapture(feed, producer, new ChangeRecordCodec(MappingLoader.builtIn()), "changes",
                lanes ? "changes.critical" : null, lanes ? new CriticalRouting(MappingLoader.builtIn(), 1_000) : null, progress,
                new KafkaCapture.Batching(maxChanges, Duration.ofHours(1)), prepared, Clock.fixed(NOW, ZoneOffset.UTC));
        feed.whenEmpty = capture::stop;
        return capture;
    }

    @Test
    void shouldReleaseATransactionOnlyOnceTheKafkaTransactionHoldingItCommitted() throws Exception {
        KafkaCapture capture = capture(1);
        feed.transaction(0x100, 0x180, insert(THREADS, "t-1"), insert(THREADS, "t-2"));
        capture.run(Lsn.INVALID);

        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(topics(producer.history())).containsExactly("changes", "changes", "progress");
        assertThat(feed.acknowledgements).containsExactly(new Acknowledgement(Lsn.of(0x180), 1));
        assertThat(new String(producer.history().get(2).value())).contains("\"end\":" + 0x180);
    }

    @Test
    void shouldHoldWholePostgresTransactionsInOneKafkaTransactionUntilTheBatchIsFull() throws Exception {
        KafkaCapture capture = capture(3);
        feed.transaction(0x100, 0x180, insert(THREADS, "t-1"), insert(THREADS, "t-2"));
        feed.transaction(0x200, 0x280, insert(THREADS, "t-3"), insert(THREADS, "t-4"));
        feed.transaction(0x300, 0x380, insert(THREADS, "t-5"));
        capture.run(Lsn.INVALID);

        // 2 changes < 3: the first transaction waits for the second; 4 >= 3 commits both; the third goes when the feed idles.
        assertThat(producer.commitCount()).isEqualTo(2);
        assertThat(feed.acknowledgements).containsExactly(new Acknowledgement(Lsn.of(0x280), 1), new Acknowledgement(Lsn.of(0x380), 2));
        assertThat(topics(producer.history())).containsExactly("changes", "changes", "changes", "changes", "progress", "changes", "progress");
    }

    @Test
    void shouldSkipWhatTheLastProgressRecordSaysIsPublished() throws Exception {
        KafkaCapture capture = capture(1);
        feed.transaction(0x100, 0x180, insert(THREADS, "t-1"));
        feed.transaction(0x200, 0x280, insert(THREADS, "t-2"));
        capture.run(Lsn.of(0x180));

        assertThat(producer.history()).hasSize(2);
        assertThat(new String(producer.history().get(0).value())).contains("t-2").doesNotContain("t-1");
        // The transaction already in the topic is released at once: nothing of it is pending.
        assertThat(feed.acknowledgements).containsExactly(new Acknowledgement(Lsn.of(0x180), 0), new Acknowledgement(Lsn.of(0x280), 1));
    }

    @Test
    void shouldPublishNothingForTablesTheMappingDoesNotMapAndReleaseThemAtOnce() throws Exception {
        KafkaCapture capture = capture(1);
        feed.transaction(0x100, 0x180, insert(UNMAPPED, "a-1"));
        capture.run(Lsn.INVALID);

        assertThat(producer.history()).isEmpty();
        assertThat(producer.commitCount()).isZero();
        assertThat(feed.acknowledgements).containsExactly(new Acknowledgement(Lsn.of(0x180), 0));
    }

    @Test
    void shouldReleaseNothingWhenTheKafkaCommitFails() {
        KafkaCapture capture = capture(1);
        producer.commitTransactionException = new KafkaException("broker gone");
        feed.transaction(0x100, 0x180, insert(THREADS, "t-1"));

        assertThatThrownBy(() -> capture.run(Lsn.INVALID)).isInstanceOf(SyncException.class)
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isTrue());
        assertThat(feed.acknowledgements).isEmpty();
    }

    @Test
    void shouldStopForGoodWhenAnotherCaptureFencedIt() {
        KafkaCapture capture = capture(1);
        producer.fenceProducer();
        feed.transaction(0x100, 0x180, insert(THREADS, "t-1"));

        assertThatThrownBy(() -> capture.run(Lsn.INVALID)).isInstanceOf(SyncException.class)
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isFalse())
                .hasMessageContaining("another capture");
        assertThat(feed.acknowledgements).isEmpty();
    }

    @Test
    void shouldRollBackACriticalWriteItCannotDecide() throws Exception {
        KafkaCapture capture = capture(1);
        feed.items.add(new StreamItem.CriticalPrepared("nexus_sync:order-7", 42, Lsn.of(0x100), Lsn.of(0x180), NOW,
                List.of(change(0x100, 0, insert(THREADS, "t-1"))), false));
        feed.items.add(new StreamItem.CriticalFinished("nexus_sync:order-7", false, Lsn.of(0x280)));
        capture.run(Lsn.INVALID);

        assertThat(finished).singleElement().satisfies(d -> {
            assertThat(d.gid()).isEqualTo("nexus_sync:order-7");
            assertThat(d.commits()).isFalse();
        });
        assertThat(producer.history()).as("a critical write's changes are not published").isEmpty();
        assertThat(feed.acknowledgements).containsExactly(new Acknowledgement(Lsn.of(0x280), 0));
    }

    @Test
    void shouldPublishTheChangesThatMayOvertakeToTheCriticalTopicInTheSameKafkaTransaction() throws Exception {
        KafkaCapture capture = capture(100, true);
        feed.transaction(0x100, 0x180, content("c-1", "public", 0, 1, "body"), content("c-2", "public", 0, 1, "body"),
                content("c-3", "public", 0, 1, "body"), insert(THREADS, "t-9"));
        feed.transaction(0x200, 0x280,
                update(content("c-1", "private", 0, 2, "body")),                    // critical lane, whole: overtakes
                update(content("c-2", "private", 0, 2, Unchanged.TOAST)),           // critical lane, body not sent: stays
                update(content("c-3", "public", 7, 2, "body")),                     // low lane: stays
                new RowChange.Delete(THREADS, Map.of("id", "t-9")),                 // a node's delete: overtakes
                new RowChange.Delete(THREAD_CONTENT, Map.of("thread_id", "t-9", "content_id", "c-1"))); // a pair's: stays
        capture.run(Lsn.INVALID);

        assertThat(producer.commitCount()).as("one Kafka transaction spans both topics").isEqualTo(1);
        assertThat(topics(producer.history())).containsExactly("changes", "changes", "changes", "changes",
                "changes.critical", "changes", "changes", "changes.critical", "changes", "progress");
        ChangeRecordCodec codec = new ChangeRecordCodec(MappingLoader.builtIn());
        var critical = producer.history().get(4);
        assertThat(critical.key()).as("the same key as in the change topic").isEqualTo(codec.encode(change(0x200, 0,
                update(content("c-1", "private", 0, 2, "body")))).key());
    }

    @Test
    void shouldKeepADeleteInTheChangeTopicWhenItsTransactionChangedTheNodeBefore() throws Exception {
        KafkaCapture capture = capture(100, true);
        feed.transaction(0x100, 0x180, insert(THREADS, "t-1"));
        // The delete's marker could not hold back the update of its own transaction (same commit time): it must not overtake it.
        feed.transaction(0x200, 0x280, update(insert(THREADS, "t-1")), new RowChange.Delete(THREADS, Map.of("id", "t-1")));
        feed.transaction(0x300, 0x380, insert(THREADS, "t-2"));
        feed.transaction(0x400, 0x480, new RowChange.Delete(THREADS, Map.of("id", "t-2")));
        capture.run(Lsn.INVALID);

        assertThat(topics(producer.history())).containsExactly("changes", "changes", "changes", "changes", "changes.critical", "progress");
    }

    private static RowChange content(String id, String accessLevel, long views, long version, Object body) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", "title of " + id);
        row.put("body", body);
        row.put("access_level", accessLevel);
        row.put("view_count", views);
        row.put("pg_version", version);
        return new RowChange.Insert(CONTENT, row);
    }

    private static RowChange update(RowChange insert) {
        RowChange.Insert row = (RowChange.Insert) insert;
        return new RowChange.Update(row.table(), null, row.newValues());
    }

    private static List<String> topics(List<ProducerRecord<String, byte[]>> records) {
        return records.stream().map(ProducerRecord::topic).toList();
    }

    private static RowChange insert(TableId table, String id) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", "title of " + id);
        row.put("pg_version", 1L);
        return new RowChange.Insert(table, row);
    }

    private static StreamItem.Change change(long tx, long index, RowChange row) {
        return new StreamItem.Change(new SourceChange(row, Lsn.of(tx), NOW), new Position(Lsn.of(tx), index));
    }

    /** An acknowledgement, with how many Kafka transactions had committed when it came. */
    record Acknowledgement(Lsn end, long commitsBefore) {}

    /** A feed that hands out its items, then calls {@code whenEmpty} and answers null (the stream idles). */
    private final class ScriptedFeed implements ChangeFeed {
        final Deque<StreamItem> items = new ArrayDeque<>();
        final List<Acknowledgement> acknowledgements = new ArrayList<>();
        Runnable whenEmpty = () -> { };

        void transaction(long tx, long end, RowChange... rows) {
            for (int i = 0; i < rows.length; i++) {
                items.add(change(tx, i, rows[i]));
            }
            items.add(new StreamItem.TransactionEnd(Lsn.of(tx), Lsn.of(end)));
        }

        @Override
        public StreamItem poll(Duration timeout) {
            StreamItem next = items.poll();
            if (next == null) {
                whenEmpty.run();
            }
            return next;
        }

        @Override
        public void acknowledge(Lsn appliedEnd) {
            acknowledgements.add(new Acknowledgement(appliedEnd, producer.commitCount()));
        }
    }
}
