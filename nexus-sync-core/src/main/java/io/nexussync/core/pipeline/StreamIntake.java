package io.nexussync.core.pipeline;

import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.schedule.ApplyLedger;
import io.nexussync.core.schedule.ChangeScheduler;
import io.nexussync.core.schedule.Footprint;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply half's side of the {@link io.nexussync.core.capture.ChangeFeed}: takes each {@link StreamItem} into the
 * books. A change the start checkpoint records as applied is skipped (only the apply side knows the graph's
 * checkpoint); any other goes into the ledger and the scheduler. Transaction ends move the ledger's committed end,
 * watermarks open and close backfill windows, releases let parked entities apply again. Needs no workers: what it
 * cannot do itself (acknowledge a position, write a backfill chunk) it asks of its {@link Loop}.
 */
final class StreamIntake implements StreamItem.Handler {
    private static final Logger log = LoggerFactory.getLogger(StreamIntake.class);

    /** What taking an item in may ask of the apply loop. */
    interface Loop {
        /** The committed end moved without a graph write: acknowledge it behind the batches already committed. */
        void positionMoved(Lsn committedEnd) throws InterruptedException;

        /** A backfill chunk's rows no streamed change touched: write them once everything read before is in the graph. */
        void backfillChunk(String chunkId, List<RowChange> rows, Lsn tx, Instant commitTime) throws InterruptedException;

        /**
         * A critical write to decide and apply now, ahead of every lane; its changes are in the ledger as {@code ordinals}.
         * Returns once the graph holds its decision, having ended its transaction in the ledger.
         */
        void criticalTransaction(StreamItem.CriticalPrepared critical, long[] ordinals) throws InterruptedException;

        /** PostgreSQL finished a critical write (the stream read its COMMIT PREPARED or ROLLBACK PREPARED). */
        void criticalFinished(StreamItem.CriticalFinished finished);
    }

    private final ApplyBooks books;
    private final Mapping mapping;
    private final WatermarkWindows watermarks;
    private final SchemaChangeHandler schemaChanges;
    private final Clock clock;
    private final Loop loop;

    StreamIntake(ApplyBooks books, Mapping mapping, WatermarkWindows watermarks, SchemaChangeHandler schemaChanges, Clock clock, Loop loop) {
        this.books = books;
        this.mapping = mapping;
        this.watermarks = watermarks;
        this.schemaChanges = schemaChanges;
        this.clock = clock;
        this.loop = loop;
    }

    @Override
    public void change(StreamItem.Change item) {
        Checkpoint start = books.start();
        Position position = item.position();
        if (start.covers(position.tx())) {
            return;
        }
        ApplyLedger ledger = books.ledger();
        long ordinal = ledger.read(position);
        if (start.isApplied(position)) {
            ledger.skipped(ordinal);
            return;
        }
        watermarks.observe(item.change().change());
        if (!books.scheduler().add(item.change(), ordinal, clock.instant())) {
            ledger.skipped(ordinal);
        }
    }

    @Override
    public void transactionEnd(StreamItem.TransactionEnd end) throws InterruptedException {
        ApplyLedger ledger = books.ledger();
        Lsn before = ledger.committedEnd();
        ledger.commitRead(end.endLsn());
        if (!ledger.committedEnd().equals(before)) {
            // Nothing of it needed a graph write (echoes, markers, changes already applied): only the position moves.
            loop.positionMoved(ledger.committedEnd());
        }
    }

    /**
     * A critical write goes to the loop, which applies it ahead of everything read before it that it does not depend
     * on. One the start checkpoint holds (read again after a restart) was decided by an earlier run: recovery finishes it
     * in PostgreSQL, and only its position moves here.
     */
    @Override
    public void criticalPrepared(StreamItem.CriticalPrepared critical) throws InterruptedException {
        Checkpoint start = books.start();
        if (start.covers(critical.prepareLsn())) {
            transactionEnd(new StreamItem.TransactionEnd(critical.prepareLsn(), critical.endLsn()));
            return;
        }
        ApplyLedger ledger = books.ledger();
        long[] ordinals = new long[critical.changes().size()];
        boolean applied = !critical.changes().isEmpty();
        for (int i = 0; i < ordinals.length; i++) {
            Position position = critical.changes().get(i).position();
            ordinals[i] = ledger.read(position);
            applied &= start.isApplied(position);
        }
        if (applied) {
            for (long ordinal : ordinals) {
                ledger.skipped(ordinal);
            }
            transactionEnd(new StreamItem.TransactionEnd(critical.prepareLsn(), critical.endLsn()));
            return;
        }
        loop.criticalTransaction(critical, ordinals);
    }

    /** The COMMIT PREPARED or ROLLBACK PREPARED of a critical write: a transaction of no changes of its own. */
    @Override
    public void criticalFinished(StreamItem.CriticalFinished finished) throws InterruptedException {
        loop.criticalFinished(finished);
        transactionEnd(new StreamItem.TransactionEnd(finished.endLsn(), finished.endLsn()));
    }

    @Override
    public void lowWatermark(StreamItem.LowWatermark marker) {
        if (!books.start().covers(marker.tx())) {
            watermarks.lowWatermark(marker.content());
        }
    }

    /**
     * The chunk's rows that the stream did not touch meanwhile go in, as a batch of their own written as a refresh
     * (see GraphWritePlan), once everything read before the watermark is in the graph.
     */
    @Override
    public void highWatermark(StreamItem.HighWatermark marker) throws InterruptedException {
        if (books.start().covers(marker.tx())) {
            return;
        }
        List<RowChange> rows = watermarks.highWatermark(marker.chunkId());
        if (rows != null) {
            loop.backfillChunk(marker.chunkId(), rows, marker.tx(), marker.commitTime());
        }
    }

    /**
     * A person retried or skipped a dead letter: changes to its entities from here on apply again, and a retry's
     * rows (as PostgreSQL held them at this point of the stream) go in like any change read here.
     */
    @Override
    public void deadLetterReleased(StreamItem.DeadLetterReleased release) {
        Checkpoint start = books.start();
        if (start.covers(release.at().tx())) {
            return;
        }
        ChangeScheduler scheduler = books.scheduler();
        scheduler.keepApart(books.parked().entitiesBehind(release.headId()));
        books.parked(books.parked().release(release.headId(), release.at()));
        log.info("dead letter #{} was {}: its entities apply again from {}", release.headId(),
                release.retry() ? "retried with " + release.currentRows().size() + " current rows" : "skipped", release.at().tx());
        if (!release.retry()) {
            return;
        }
        ApplyLedger ledger = books.ledger();
        for (StreamItem.Change row : release.currentRows()) {
            Footprint footprint = Footprint.of(mapping, row.change().change());
            if (footprint != null) {
                scheduler.keepApart(footprint.owns());
            }
            long ordinal = ledger.read(row.position());
            if (start.isApplied(row.position()) || !scheduler.add(row.change(), ordinal, clock.instant())) {
                ledger.skipped(ordinal);
            }
        }
    }

    @Override
    public void schemaChanged(StreamItem.SchemaChanged change) {
        schemaChanges.schemaChanged(change.change());
    }
}
