package io.nexussync.core.deadletter;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import java.util.Map;

/**
 * Where changes that cannot be applied go ({@code nexus_sync.dead_letter} in production), and the running
 * compensation for them. Written by apply workers before the graph commits the checkpoint that counts the
 * change as handled; so a crash in between records it again, which must be a no-op.
 */
public interface DeadLetterStore {

    /** An open head and the stream position from which changes to one of its entities wait behind it. */
    record Parked(long headId, Position from) {}

    /**
     * Records the letter (once per position) and returns its id. When the position was recorded before (a replay after a
     * crash), returns the head that record waits behind (its own id when it is a head), which is what the replayed
     * change's entities must wait behind.
     */
    long record(DeadLetter letter);

    /** The entities of open dead letters and what they wait behind: loaded when the stream (re)starts. */
    Map<String, Parked> parkedEntities();

    /** For a pipeline without a dead-letter table: a change the graph refuses stops the sync, as it did before there was one. */
    DeadLetterStore NONE = new DeadLetterStore() {
        @Override
        public long record(DeadLetter letter) {
            var table = RowChange.tableOf(letter.change());
            throw SyncException.persistent(ErrorText.withDetail("the graph refused a change" + (table == null ? "" : " to " + table)
                    + " and no dead-letter table is configured", letter.change() + " (" + letter.error() + ")"), null);
        }

        @Override
        public Map<String, Parked> parkedEntities() {
            return Map.of();
        }
    };
}
