package io.nexussync.core.capture;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.SourceChange;
import java.time.Instant;
import java.util.List;

/**
 * What the capture half hands the apply half through a {@link ChangeFeed}, in stream (commit) order. Each item
 * carries everything the apply half needs, the stream position included, so that the feed can be a queue in
 * this process or a topic between two: nothing is read from capture's state on the other side.
 */
public sealed interface StreamItem {

    /** One method per kind of item: a new kind does not compile until the apply half says what it does with it. */
    interface Handler {
        void change(Change change) throws InterruptedException;

        void transactionEnd(TransactionEnd end) throws InterruptedException;

        void lowWatermark(LowWatermark marker) throws InterruptedException;

        void highWatermark(HighWatermark marker) throws InterruptedException;

        void deadLetterReleased(DeadLetterReleased release) throws InterruptedException;

        void schemaChanged(SchemaChanged change) throws InterruptedException;

        void criticalPrepared(CriticalPrepared critical) throws InterruptedException;

        void criticalFinished(CriticalFinished finished) throws InterruptedException;
    }

    void handleWith(Handler handler) throws InterruptedException;

    /** A row change and where it sits in the stream (its transaction's commit LSN, its ordinal in it). */
    record Change(SourceChange change, Position position) implements StreamItem {
        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.change(this);
        }
    }

    /**
     * The transaction at {@code tx} ended; every change of it was handed out before.
     *
     * @param endLsn the end of its commit record: what the source may release once the transaction is applied
     */
    record TransactionEnd(Lsn tx, Lsn endLsn) implements StreamItem {
        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.transactionEnd(this);
        }
    }

    /** A backfill chunk's low watermark, written in the transaction at {@code tx}: {@code content} names the chunk and its table. */
    record LowWatermark(Lsn tx, String content) implements StreamItem {
        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.lowWatermark(this);
        }
    }

    /** A backfill chunk's high watermark, written in the transaction at {@code tx} committed at {@code commitTime}. */
    record HighWatermark(Lsn tx, Instant commitTime, String chunkId) implements StreamItem {
        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.highWatermark(this);
        }
    }

    /**
     * A person released dead letter {@code headId} at {@code at}; a retry's current rows follow as changes read there,
     * from {@code at} on (see {@link CaptureEvent.DeadLetterRelease}).
     */
    record DeadLetterReleased(long headId, boolean retry, Position at, List<Change> currentRows) implements StreamItem {
        public DeadLetterReleased {
            currentRows = List.copyOf(currentRows);
        }

        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.deadLetterReleased(this);
        }
    }

    /** A published table changed shape (see {@link CaptureEvent.SchemaChange}). */
    record SchemaChanged(CaptureEvent.SchemaChange change) implements StreamItem {
        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.schemaChanged(this);
        }
    }

    /**
     * A critical write (PREPARE TRANSACTION 'nexus_sync:...') was prepared: all its changes, at their positions (the
     * PREPARE record's LSN, their ordinal), to be applied in one graph transaction with its decision before PostgreSQL
     * commits it. It ends at {@code endLsn} like a transaction.
     *
     * @param overflowed it held more changes than a critical write may ({@code changes} holds the first ones only): it
     *                   is to be rolled back
     */
    record CriticalPrepared(String gid, long xid, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, List<Change> changes,
                            boolean overflowed) implements StreamItem {
        public CriticalPrepared {
            changes = List.copyOf(changes);
        }

        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.criticalPrepared(this);
        }
    }

    /**
     * PostgreSQL finished critical write {@code gid} (COMMIT PREPARED, or ROLLBACK PREPARED when not {@code committed}):
     * a transaction without changes of its own that ends at {@code endLsn}.
     */
    record CriticalFinished(String gid, boolean committed, Lsn endLsn) implements StreamItem {
        @Override
        public void handleWith(Handler handler) throws InterruptedException {
            handler.criticalFinished(this);
        }
    }
}
