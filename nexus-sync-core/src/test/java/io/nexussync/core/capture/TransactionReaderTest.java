package io.nexussync.core.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransactionReaderTest {
    private static final TableId ITEMS = TableId.parse("content_items");
    private static final Lsn TX = Lsn.valueOf("0/1000");
    private static final Lsn END = Lsn.valueOf("0/1010");
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

    private TransactionReader reader = new TransactionReader();

    @Test
    void shouldGiveEachChangeItsTransactionAndOrdinalAndEndTheTransaction() {
        List<StreamItem> items = read(begin(), change(insert("a")), change(insert("b")), commit());

        assertThat(items).containsExactly(
                new StreamItem.Change(new SourceChange(insert("a"), TX, AT), new Position(TX, 0)),
                new StreamItem.Change(new SourceChange(insert("b"), TX, AT), new Position(TX, 1)),
                new StreamItem.TransactionEnd(TX, END));
    }

    @Test
    void shouldDropOurOwnWriteBackEchoButStillEndItsTransaction() {
        List<StreamItem> items = read(begin(), message(true, TransactionReader.ECHO_PREFIX, "x"), change(insert("a")), commit(),
                new CaptureEvent.Begin(8, Lsn.valueOf("0/2000"), AT), change(insert("b")),
                new CaptureEvent.Commit(Lsn.valueOf("0/2000"), Lsn.valueOf("0/2010"), AT));

        assertThat(items).containsExactly(
                new StreamItem.TransactionEnd(TX, END),
                new StreamItem.Change(new SourceChange(insert("b"), Lsn.valueOf("0/2000"), AT), new Position(Lsn.valueOf("0/2000"), 0)),
                new StreamItem.TransactionEnd(Lsn.valueOf("0/2000"), Lsn.valueOf("0/2010")));
    }

    @Test
    void shouldNotTakeANonTransactionalEchoPrefixForATag() {
        List<StreamItem> items = read(begin(), message(false, TransactionReader.ECHO_PREFIX, "x"), change(insert("a")), commit());

        assertThat(items).first().isInstanceOf(StreamItem.Change.class);
    }

    @Test
    void shouldTurnWatermarksIntoItemsOfTheirTransaction() {
        List<StreamItem> items = read(begin(), message(true, WatermarkWindows.LOW, "chunk-1\tpublic.content_items"),
                message(true, WatermarkWindows.HIGH, "chunk-1"), message(true, "someone-else", "x"), commit());

        assertThat(items).containsExactly(
                new StreamItem.LowWatermark(TX, "chunk-1\tpublic.content_items"),
                new StreamItem.HighWatermark(TX, AT, "chunk-1"),
                new StreamItem.TransactionEnd(TX, END));
    }

    @Test
    void shouldIgnoreWatermarksAndReleasesOutsideATransaction() {
        List<StreamItem> items = read(message(false, WatermarkWindows.LOW, "chunk-1\tpublic.content_items"),
                new CaptureEvent.DeadLetterRelease(3, false, List.of()));

        assertThat(items).isEmpty();
    }

    @Test
    void shouldPlaceAReleaseAndItsRowsAtTheNextPositionsOfItsTransaction() {
        List<StreamItem> items = read(begin(), change(insert("a")),
                new CaptureEvent.DeadLetterRelease(3, true, List.of(insert("b"), insert("c"))), change(insert("d")), commit());

        assertThat(items).containsExactly(
                new StreamItem.Change(new SourceChange(insert("a"), TX, AT), new Position(TX, 0)),
                new StreamItem.DeadLetterReleased(3, true, new Position(TX, 1), List.of(
                        new StreamItem.Change(new SourceChange(insert("b"), TX, AT), new Position(TX, 1)),
                        new StreamItem.Change(new SourceChange(insert("c"), TX, AT), new Position(TX, 2)))),
                new StreamItem.Change(new SourceChange(insert("d"), TX, AT), new Position(TX, 3)),
                new StreamItem.TransactionEnd(TX, END));
    }

    @Test
    void shouldPassSchemaChangesOnWhereverTheyArrive() {
        CaptureEvent.SchemaChange change = new CaptureEvent.SchemaChange(ITEMS, ITEMS, List.of("extra"), List.of(), List.of());

        assertThat(read(change)).containsExactly(new StreamItem.SchemaChanged(change));
        assertThat(read(begin(), change, commit())).containsExactly(new StreamItem.SchemaChanged(change), new StreamItem.TransactionEnd(TX, END));
    }

    @Test
    void shouldRefuseAChangeOutsideATransaction() {
        assertThatThrownBy(() -> reader.read(change(insert("a")))).isInstanceOf(SyncException.class).hasMessageContaining("outside a transaction");
    }

    @Test
    void shouldReadEveryKindOfCaptureEvent() {
        // One of each kind the sealed type permits: a kind added later must be read here too (the visitor makes it compile only then).
        List<CaptureEvent> one = List.of(begin(), change(insert("a")), message(true, WatermarkWindows.HIGH, "c"),
                new CaptureEvent.SchemaChange(ITEMS, ITEMS, List.of(), List.of(), List.of()),
                new CaptureEvent.DeadLetterRelease(1, false, List.of()), commit(),
                beginPrepare("nexus_sync:1"), prepare("nexus_sync:1"), commitPrepared("nexus_sync:1"),
                beginPrepare("nexus_sync:2"), prepare("nexus_sync:2"), rollbackPrepared("nexus_sync:2"));
        assertThat(one.stream().map(Object::getClass).distinct().toList())
                .containsExactlyInAnyOrder(CaptureEvent.class.getPermittedSubclasses());
        for (CaptureEvent event : one) {
            reader.read(event);
        }
    }

    @Test
    void shouldHandACriticalWriteOutWholeAtItsPrepareWithItsChangesPositionedThere() {
        List<StreamItem> items = read(beginPrepare("nexus_sync:k"), change(insert("a")), message(true, WatermarkWindows.HIGH, "c"),
                change(insert("b")), prepare("nexus_sync:k"), commitPrepared("nexus_sync:k"));

        assertThat(items).containsExactly(
                new StreamItem.CriticalPrepared("nexus_sync:k", 9, PREPARE, PREPARE_END, AT, List.of(
                        new StreamItem.Change(new SourceChange(insert("a"), PREPARE, AT), new Position(PREPARE, 0)),
                        new StreamItem.Change(new SourceChange(insert("b"), PREPARE, AT), new Position(PREPARE, 1))), false),
                new StreamItem.CriticalFinished("nexus_sync:k", true, COMMIT_PREPARED_END));
        assertThat(reader.holdsFrom()).isEqualTo(Lsn.INVALID);
    }

    @Test
    void shouldMarkACriticalWriteThatHoldsMoreChangesThanAllowed() {
        reader = new TransactionReader(2);

        List<StreamItem> items = read(beginPrepare("nexus_sync:big"), change(insert("a")), change(insert("b")), change(insert("c")),
                prepare("nexus_sync:big"));

        assertThat(items).singleElement().satisfies(item -> {
            StreamItem.CriticalPrepared critical = (StreamItem.CriticalPrepared) item;
            assertThat(critical.overflowed()).isTrue();
            assertThat(critical.changes()).hasSize(2);
        });
    }

    @Test
    void shouldHoldAnApplicationsPreparedTransactionUntilItsCommitPreparedAndPlaceItThere() {
        List<StreamItem> items = read(beginPrepare("xa:1"), change(insert("a")), change(insert("b")), prepare("xa:1"));
        assertThat(items).isEmpty();
        assertThat(reader.holdsFrom()).isEqualTo(PREPARE);

        List<StreamItem> released = read(commitPrepared("xa:1"));
        for (StreamItem more = reader.nextReleased(); more != null; more = reader.nextReleased()) {
            released.add(more);
        }

        assertThat(released).containsExactly(
                new StreamItem.Change(new SourceChange(insert("a"), COMMIT_PREPARED, AT.plusSeconds(1)), new Position(COMMIT_PREPARED, 0)),
                new StreamItem.Change(new SourceChange(insert("b"), COMMIT_PREPARED, AT.plusSeconds(1)), new Position(COMMIT_PREPARED, 1)),
                new StreamItem.TransactionEnd(COMMIT_PREPARED, COMMIT_PREPARED_END));
        assertThat(reader.holdsFrom()).isEqualTo(Lsn.INVALID);
    }

    @Test
    void shouldDropAnApplicationsPreparedTransactionAtItsRollbackPreparedAndKeepTheEarliestPrepareHeld() {
        read(beginPrepare("xa:1"), change(insert("a")), prepare("xa:1"));
        read(new CaptureEvent.BeginPrepare(10, Lsn.valueOf("0/3000"), Lsn.valueOf("0/3010"), AT, "xa:2"), change(insert("b")),
                new CaptureEvent.Prepare(10, Lsn.valueOf("0/3000"), Lsn.valueOf("0/3010"), AT, "xa:2"));
        assertThat(reader.holdsFrom()).isEqualTo(PREPARE);

        assertThat(read(rollbackPrepared("xa:1"))).containsExactly(new StreamItem.TransactionEnd(ROLLBACK_PREPARED_END, ROLLBACK_PREPARED_END));
        assertThat(reader.nextReleased()).isNull();
        assertThat(reader.holdsFrom()).isEqualTo(Lsn.valueOf("0/3000"));
    }

    @Test
    void shouldNeverAcknowledgePastThePrepareOfAHeldTransaction() throws InterruptedException {
        List<Lsn> acknowledged = new ArrayList<>();
        java.util.ArrayDeque<CaptureEvent> events = new java.util.ArrayDeque<>(List.of(beginPrepare("xa:1"), change(insert("a")), prepare("xa:1")));
        ChangeSource source = new ChangeSource() {
            @Override
            public CaptureEvent poll(java.time.Duration timeout) {
                return events.poll();
            }

            @Override
            public void acknowledge(Lsn appliedEnd) {
                acknowledged.add(appliedEnd);
            }

            @Override
            public void close() {
            }
        };
        CapturedChangeFeed feed = new CapturedChangeFeed(source, reader);
        assertThat(feed.poll(java.time.Duration.ZERO)).as("the prepared transaction is held").isNull();
        assertThat(events).isEmpty();

        feed.acknowledge(Lsn.valueOf("0/2500"));
        feed.acknowledge(Lsn.valueOf("0/1500"));
        events.add(commitPrepared("xa:1"));
        List<StreamItem> afterCommit = new ArrayList<>();
        for (StreamItem item = feed.poll(java.time.Duration.ZERO); item != null; item = feed.poll(java.time.Duration.ZERO)) {
            afterCommit.add(item);
        }
        feed.acknowledge(Lsn.valueOf("0/4010"));

        assertThat(acknowledged).containsExactly(PREPARE, Lsn.valueOf("0/1500"), Lsn.valueOf("0/4010"));
        assertThat(afterCommit).hasSize(2);
    }

    private List<StreamItem> read(CaptureEvent... events) {
        List<StreamItem> items = new ArrayList<>();
        for (CaptureEvent event : events) {
            StreamItem item = reader.read(event);
            if (item != null) {
                items.add(item);
            }
        }
        return items;
    }

    private static final Lsn PREPARE = Lsn.valueOf("0/2000");
    private static final Lsn PREPARE_END = Lsn.valueOf("0/2010");
    private static final Lsn COMMIT_PREPARED = Lsn.valueOf("0/4000");
    private static final Lsn COMMIT_PREPARED_END = Lsn.valueOf("0/4010");
    private static final Lsn ROLLBACK_PREPARED_END = Lsn.valueOf("0/5010");

    private static CaptureEvent beginPrepare(String gid) {
        return new CaptureEvent.BeginPrepare(9, PREPARE, PREPARE_END, AT, gid);
    }

    private static CaptureEvent prepare(String gid) {
        return new CaptureEvent.Prepare(9, PREPARE, PREPARE_END, AT, gid);
    }

    private static CaptureEvent commitPrepared(String gid) {
        return new CaptureEvent.CommitPrepared(9, COMMIT_PREPARED, COMMIT_PREPARED_END, AT.plusSeconds(1), gid);
    }

    private static CaptureEvent rollbackPrepared(String gid) {
        return new CaptureEvent.RollbackPrepared(9, PREPARE_END, ROLLBACK_PREPARED_END, AT.plusSeconds(1), gid);
    }

    private static CaptureEvent begin() {
        return new CaptureEvent.Begin(7, TX, AT);
    }

    private static CaptureEvent commit() {
        return new CaptureEvent.Commit(TX, END, AT);
    }

    private static CaptureEvent change(RowChange change) {
        return new CaptureEvent.Change(change);
    }

    private static CaptureEvent message(boolean transactional, String prefix, String content) {
        return new CaptureEvent.Message(transactional, TX, prefix, content.getBytes(StandardCharsets.UTF_8));
    }

    private static RowChange insert(String id) {
        return new RowChange.Insert(ITEMS, Map.of("id", id));
    }
}
