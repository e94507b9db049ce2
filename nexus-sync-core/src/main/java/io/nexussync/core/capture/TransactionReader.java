package io.nexussync.core.capture;

import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.critical.CriticalTransactions;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The capture half: turns captured events, which arrive as whole transactions in commit order, into
 * {@link StreamItem}s that stand on their own. Each change gets its stream position (its transaction's commit LSN
 * and its ordinal among that transaction's changes, the same on every replay); our own write-back transactions
 * (tagged by an {@link #ECHO_PREFIX} message) are dropped; backfill watermarks and dead-letter releases become
 * items of their own. It knows nothing of the graph: what the graph already holds is the apply half's to skip.
 * One reader per stream session (it keeps the transaction being read).
 *
 * <p><b>Prepared transactions</b> (two-phase decoding sends a transaction's changes at PREPARE TRANSACTION, its
 * COMMIT PREPARED later): a critical write ({@link CriticalTransactions}) becomes one {@link StreamItem.CriticalPrepared}
 * at its PREPARE, to be applied before PostgreSQL commits it. Any other prepared transaction is the application's
 * own and not committed yet: it is held here until its COMMIT PREPARED, then handed out as an ordinary transaction
 * committed there (at that LSN), or dropped at its ROLLBACK PREPARED. While one is held, the source may not be
 * confirmed past its PREPARE ({@link #holdsFrom}): a restart must read it again, since the server sends only the
 * COMMIT PREPARED of a transaction prepared before the confirmed position.
 */
public final class TransactionReader implements CaptureEvent.Visitor<StreamItem> {
    /** Prefix of the logical message that tags our own write-back transactions, so that their echo is dropped. */
    public static final String ECHO_PREFIX = "nexus-sync:write-back";

    /** Most changes a critical write may hold: it is applied in one graph transaction, and held in memory until then. */
    public static final int MAX_CRITICAL_CHANGES = 10_000;

    private final int maxCriticalChanges;
    private OpenTransaction tx;
    /** The application's prepared transactions, by global id, until they are committed or rolled back. */
    private final Map<String, HeldTransaction> held = new LinkedHashMap<>();
    /** Items a COMMIT PREPARED released beyond the first, handed out by {@link #nextReleased}. */
    private final ArrayDeque<StreamItem> released = new ArrayDeque<>();
    /** The earliest PREPARE held, as an unsigned LSN value (0: none); read by whoever acknowledges. */
    private volatile long holdsFrom;

    public TransactionReader() {
        this(MAX_CRITICAL_CHANGES);
    }

    TransactionReader(int maxCriticalChanges) {
        this.maxCriticalChanges = maxCriticalChanges;
    }

    /** The item {@code event} makes, or null when it makes none (a Begin, a change of our own write-back, an unknown message). */
    public StreamItem read(CaptureEvent event) {
        return event.accept(this);
    }

    /** The next item a COMMIT PREPARED released (after the one {@link #read} returned), or null. */
    public StreamItem nextReleased() {
        return released.poll();
    }

    /**
     * The PREPARE of the earliest prepared transaction held back, or {@link Lsn#INVALID}: the source may not be confirmed
     * beyond it. Safe to call from any thread.
     */
    public Lsn holdsFrom() {
        return Lsn.of(holdsFrom);
    }

    @Override
    public StreamItem begin(CaptureEvent.Begin begin) {
        tx = new OpenTransaction(begin.finalLsn(), begin.commitTime(), null, false);
        return null;
    }

    @Override
    public StreamItem beginPrepare(CaptureEvent.BeginPrepare begin) {
        tx = new OpenTransaction(begin.prepareLsn(), begin.prepareTime(), begin.gid(), CriticalTransactions.isCritical(begin.gid()));
        return null;
    }

    @Override
    public StreamItem prepare(CaptureEvent.Prepare prepare) {
        OpenTransaction prepared = tx;
        tx = null;
        if (prepared == null || prepared.gid == null) {
            throw SyncException.persistent(ErrorText.ours("a PREPARE arrived without its BEGIN PREPARE (transaction " + prepare.gid() + ")"), null);
        }
        if (prepared.critical) {
            return new StreamItem.CriticalPrepared(prepare.gid(), prepare.xid(), prepare.prepareLsn(), prepare.endLsn(), prepare.prepareTime(),
                    prepared.criticalChanges, prepared.overflowed);
        }
        held.put(prepare.gid(), new HeldTransaction(prepare.prepareLsn(), prepared.heldChanges));
        updateHoldsFrom();
        return null;
    }

    @Override
    public StreamItem commitPrepared(CaptureEvent.CommitPrepared commit) {
        if (CriticalTransactions.isCritical(commit.gid())) {
            return new StreamItem.CriticalFinished(commit.gid(), true, commit.endLsn());
        }
        HeldTransaction transaction = held.remove(commit.gid());
        updateHoldsFrom();
        StreamItem.TransactionEnd end = new StreamItem.TransactionEnd(commit.commitLsn(), commit.endLsn());
        if (transaction == null || transaction.changes.isEmpty()) {
            return end;
        }
        // Committed now: its changes take their place here, as a transaction committed at this LSN.
        OpenTransaction committed = new OpenTransaction(commit.commitLsn(), commit.commitTime(), null, false);
        for (RowChange change : transaction.changes) {
            released.add(next(committed, change));
        }
        released.add(end);
        return released.poll();
    }

    @Override
    public StreamItem rollbackPrepared(CaptureEvent.RollbackPrepared rollback) {
        if (CriticalTransactions.isCritical(rollback.gid())) {
            return new StreamItem.CriticalFinished(rollback.gid(), false, rollback.endLsn());
        }
        held.remove(rollback.gid());
        updateHoldsFrom();
        return new StreamItem.TransactionEnd(rollback.endLsn(), rollback.endLsn());
    }

    private void updateHoldsFrom() {
        long earliest = 0;
        for (HeldTransaction transaction : held.values()) {
            long at = transaction.prepareLsn.value();
            if (earliest == 0 || Long.compareUnsigned(at, earliest) < 0) {
                earliest = at;
            }
        }
        holdsFrom = earliest;
    }

    @Override
    public StreamItem message(CaptureEvent.Message message) {
        if (tx == null || tx.gid != null) {
            // Our own messages (write-back tags, watermarks) are never in a prepared transaction.
            return null;
        }
        if (message.transactional() && ECHO_PREFIX.equals(message.prefix())) {
            // The tag is the write-back's first statement, so none of its changes has been read yet.
            tx.echo = true;
            return null;
        }
        if (WatermarkWindows.LOW.equals(message.prefix())) {
            return new StreamItem.LowWatermark(tx.finalLsn, new String(message.content(), StandardCharsets.UTF_8));
        }
        if (WatermarkWindows.HIGH.equals(message.prefix())) {
            return new StreamItem.HighWatermark(tx.finalLsn, tx.commitTime, new String(message.content(), StandardCharsets.UTF_8));
        }
        return null;
    }

    @Override
    public StreamItem change(CaptureEvent.Change change) {
        if (tx == null) {
            throw SyncException.persistent(ErrorText.withDetail("a change arrived outside a transaction", change.change().toString()), null);
        }
        if (tx.gid != null) {
            holdPrepared(change.change());
            return null;
        }
        StreamItem.Change item = next(tx, change.change());
        return tx.echo ? null : item;
    }

    /** The release's position is where its rows begin: changes read before it still wait, changes after it apply. */
    @Override
    public StreamItem deadLetterRelease(CaptureEvent.DeadLetterRelease release) {
        if (tx == null || tx.gid != null) {
            return null;
        }
        Position at = new Position(tx.finalLsn, tx.seen);
        List<StreamItem.Change> rows = new ArrayList<>(release.currentRows().size());
        for (RowChange row : release.currentRows()) {
            rows.add(next(tx, row));
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

    /** A critical write's change is positioned now (at its PREPARE); another prepared transaction's waits for its commit. */
    private void holdPrepared(RowChange change) {
        if (!tx.critical) {
            tx.heldChanges.add(change);
        } else if (tx.criticalChanges.size() < maxCriticalChanges) {
            tx.criticalChanges.add(next(tx, change));
        } else {
            tx.seen++;
            tx.overflowed = true;
        }
    }

    /** {@code change} as the next change of {@code in}, at its place in the stream. */
    private static StreamItem.Change next(OpenTransaction in, RowChange change) {
        Position position = new Position(in.finalLsn, in.seen++);
        return new StreamItem.Change(new SourceChange(change, in.finalLsn, in.commitTime), position);
    }

    /** The transaction being read: an ordinary one, a critical write, or another prepared transaction. */
    private static final class OpenTransaction {
        /** Its place in the stream: the commit LSN, or for a prepared transaction the PREPARE's. */
        final Lsn finalLsn;
        final Instant commitTime;
        /** The global id of a prepared transaction, else null. */
        final String gid;
        final boolean critical;
        final List<StreamItem.Change> criticalChanges = new ArrayList<>();
        final List<RowChange> heldChanges = new ArrayList<>();
        long seen;
        boolean echo;
        boolean overflowed;

        OpenTransaction(Lsn finalLsn, Instant commitTime, String gid, boolean critical) {
            this.finalLsn = finalLsn;
            this.commitTime = commitTime;
            this.gid = gid;
            this.critical = critical;
        }
    }

    /** An application's prepared transaction, not committed yet. */
    private record HeldTransaction(Lsn prepareLsn, List<RowChange> changes) {}
}
