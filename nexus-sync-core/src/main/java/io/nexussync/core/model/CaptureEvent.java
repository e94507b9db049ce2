package io.nexussync.core.model;

import java.time.Instant;
import java.util.List;

/**
 * What the capture hands the pipeline, in WAL commit order. Transactions arrive whole and in
 * commit order: Begin, then its changes and messages, then Commit.
 */
public sealed interface CaptureEvent {

    /**
     * One method per kind of event: a new kind does not compile until every reader of the stream says what it does
     * with it.
     */
    interface Visitor<R> {
        R begin(Begin begin);

        R change(Change change);

        R message(Message message);

        R schemaChange(SchemaChange change);

        R deadLetterRelease(DeadLetterRelease release);

        R commit(Commit commit);

        R beginPrepare(BeginPrepare begin);

        R prepare(Prepare prepare);

        R commitPrepared(CommitPrepared commit);

        R rollbackPrepared(RollbackPrepared rollback);
    }

    <R> R accept(Visitor<R> visitor);

    /** @param finalLsn the LSN of the transaction's commit record; unique per transaction and ordered like commits */
    record Begin(long xid, Lsn finalLsn, Instant commitTime) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.begin(this);
        }
    }

    record Change(RowChange change) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.change(this);
        }
    }

    /** A logical decoding message ({@code pg_logical_emit_message}). */
    record Message(boolean transactional, Lsn lsn, String prefix, byte[] content) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.message(this);
        }
    }

    /**
     * A published table's shape changed while streaming (ALTER TABLE, seen as a new Relation message
     * before the first change that uses it). {@code previousTable} differs from {@code table} when it was renamed.
     */
    record SchemaChange(TableId table, TableId previousTable, List<String> addedColumns, List<String> droppedColumns,
                        List<String> retypedColumns) implements CaptureEvent {
        public SchemaChange {
            addedColumns = List.copyOf(addedColumns);
            droppedColumns = List.copyOf(droppedColumns);
            retypedColumns = List.copyOf(retypedColumns);
        }

        public boolean renamed() {
            return !table.equals(previousTable);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.schemaChange(this);
        }
    }

    /**
     * A person released dead letter {@code headId} (with the changes parked behind it), in a transaction of its own:
     * from this point of the stream on, changes to its entities apply again. A retry carries the entities' rows as
     * PostgreSQL held them in that transaction ({@code currentRows}: an INSERT with every column for a row that
     * exists, a DELETE with the key for one that does not); a skip carries none.
     */
    record DeadLetterRelease(long headId, boolean retry, List<RowChange> currentRows) implements CaptureEvent {
        public DeadLetterRelease {
            currentRows = List.copyOf(currentRows);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.deadLetterRelease(this);
        }
    }

    /** @param endLsn the end of the commit record: what gets confirmed to the slot once applied */
    record Commit(Lsn commitLsn, Lsn endLsn, Instant commitTime) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.commit(this);
        }
    }

    /**
     * The start of a transaction the application ended with PREPARE TRANSACTION (pgoutput's two-phase decoding,
     * PostgreSQL 15+): its changes follow, then {@link Prepare}. Its COMMIT PREPARED or ROLLBACK PREPARED comes later
     * as {@link CommitPrepared} or {@link RollbackPrepared}, usually with other transactions in between. A replay
     * after a restart sends it again in the same shape, at the same position.
     *
     * @param prepareLsn the LSN of the PREPARE record: the transaction's place in the stream, the same on every replay
     * @param endLsn     the end of the PREPARE record
     * @param gid        the global id the application gave it
     */
    record BeginPrepare(long xid, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, String gid) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.beginPrepare(this);
        }
    }

    /** The end of a prepared transaction's changes (see {@link BeginPrepare}); it is neither committed nor rolled back yet. */
    record Prepare(long xid, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, String gid) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.prepare(this);
        }
    }

    /**
     * COMMIT PREPARED of the transaction {@code gid}. Its changes were sent with its {@link BeginPrepare}, before this.
     *
     * @param commitLsn the LSN of the COMMIT PREPARED record
     * @param endLsn    its end: what gets confirmed to the slot once everything before it is applied
     */
    record CommitPrepared(long xid, Lsn commitLsn, Lsn endLsn, Instant commitTime, String gid) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.commitPrepared(this);
        }
    }

    /**
     * ROLLBACK PREPARED of the transaction {@code gid}: its changes, sent with its {@link BeginPrepare}, never happened.
     *
     * @param prepareEndLsn the end of the PREPARE record of the transaction rolled back
     * @param endLsn        the end of the ROLLBACK PREPARED record
     */
    record RollbackPrepared(long xid, Lsn prepareEndLsn, Lsn endLsn, Instant rollbackTime, String gid) implements CaptureEvent {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.rollbackPrepared(this);
        }
    }
}
