package io.nexussync.core.capture;

import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture half: turns captured events, which arrive as whole transactions in commit order, into
 * {@link StreamItem}s that stand on their own. Each change gets its stream position (its transaction's commit LSN
 * and its ordinal among that transaction's changes, the same on every replay); our own write-back transactions
 * (tagged by an {@link #ECHO_PREFIX} message) are dropped; backfill watermarks and dead-letter releases become
 * items of their own. It knows nothing of the graph: what the graph already holds is the apply half's to skip.
 * One reader per stream session (it keeps the transaction being read).
 */
public final class TransactionReader implements CaptureEvent.Visitor<StreamItem> {
    /** Prefix of the logical message that tags our own write-back transactions, so that their echo is dropped. */
    public static final String ECHO_PREFIX = "nexus-sync:write-back";

    private OpenTransaction tx;

    /** The item {@code event} makes, or null when it makes none (a Begin, a change of our own write-back, an unknown message). */
    public StreamItem read(CaptureEvent event) {
        return event.accept(this);
    }

    @Override
    public StreamItem begin(CaptureEvent.Begin begin) {
        tx = new OpenTransaction(begin);
        return null;
    }

    @Override
    public StreamItem message(CaptureEvent.Message message) {
        if (tx == null) {
            return null;
        }
        if (message.transactional() && ECHO_PREFIX.equals(message.prefix())) {
            // The tag is the write-back's first statement, so none of its changes has been read yet.
            tx.echo = true;
            return null;
        }
        if (WatermarkWindows.LOW.equals(message.prefix())) {
            return new StreamItem.LowWatermark(tx.begin.finalLsn(), new String(message.content(), StandardCharsets.UTF_8));
        }
        if (WatermarkWindows.HIGH.equals(message.prefix())) {
            return new StreamItem.HighWatermark(tx.begin.finalLsn(), tx.begin.commitTime(), new String(message.content(), StandardCharsets.UTF_8));
        }
        return null;
    }

    @Override
    public StreamItem change(CaptureEvent.Change change) {
        if (tx == null) {
            throw SyncException.persistent(ErrorText.withDetail("a change arrived outside a transaction", change.change().toString()), null);
        }
        StreamItem.Change item = next(change.change());
        return tx.echo ? null : item;
    }

    /** The release's position is where its rows begin: changes read before it still wait, changes after it apply. */
    @Override
    public StreamItem deadLetterRelease(CaptureEvent.DeadLetterRelease release) {
        if (tx == null) {
            return null;
        }
        Position at = new Position(tx.begin.finalLsn(), tx.seen);
        List<StreamItem.Change> rows = new ArrayList<>(release.currentRows().size());
        for (RowChange row : release.currentRows()) {
            rows.add(next(row));
        }
        return new StreamItem.DeadLetterReleased(release.headId(), release.retry(), at, rows);
    }

    @Override
    public StreamItem schemaChange(CaptureEvent.SchemaChange change) {
        return new StreamItem.SchemaChanged(change);
    }

    @Override
    public StreamItem commit(CaptureEvent.Commit commit) {
        tx = null;
        return new StreamItem.TransactionEnd(commit.commitLsn(), commit.endLsn());
    }

    private StreamItem.Change next(RowChange change) {
        Position position = new Position(tx.begin.finalLsn(), tx.seen++);
        return new StreamItem.Change(new SourceChange(change, tx.begin.finalLsn(), tx.begin.commitTime()), position);
    }

    private static final class OpenTransaction {
        final CaptureEvent.Begin begin;
        long seen;
        boolean echo;

        OpenTransaction(CaptureEvent.Begin begin) {
            this.begin = begin;
        }
    }
}
