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

    private final TransactionReader reader = new TransactionReader();

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
                new CaptureEvent.DeadLetterRelease(1, false, List.of()), commit());
        assertThat(one.stream().map(Object::getClass).distinct().toList())
                .containsExactlyInAnyOrder(CaptureEvent.class.getPermittedSubclasses());
        for (CaptureEvent event : one) {
            reader.read(event);
        }
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
