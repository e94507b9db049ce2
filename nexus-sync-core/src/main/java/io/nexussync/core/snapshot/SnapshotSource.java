package io.nexussync.core.snapshot;

import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The source side of a snapshot: one consistent view of every mapped table, tied to a slot position
 * so that the stream continues exactly where the view ends. Rows come a bounded chunk at a time, so
 * memory does not grow with the table.
 */
public interface SnapshotSource extends AutoCloseable {

    /** The slot position the view is consistent with: every transaction committed before it is in the view, none after. */
    Lsn consistentPoint();

    /**
     * A time, on the database server's clock, no later than the commit time of any transaction the stream
     * delivers after the view: what a temporal relationship's version found by the snapshot is dated from, so
     * that a streamed change that closes it never closes it before it began.
     */
    Instant viewTakenNoLaterThan();

    long countRows(TableId table);

    /**
     * Every row of the table in the view, at most {@code chunkSize} at a time, in the order the source reads fastest
     * (PostgreSQL: physical order, one sequential scan) rather than in key order. Nothing depends on that order
     * outside this one view: a snapshot cut short is taken again from a new view, never resumed from where it got to
     * (the {@link io.nexussync.core.model.SnapshotMark} records no position), and the sweep at its end removes what the
     * first attempt wrote that the new view lacks.
     */
    RowChunks scan(TableId table, int chunkSize);

    /** Which of {@code ids} (node identities, as the graph holds them) are keys of rows of the node's table in the view. */
    Set<String> existingNodeIds(NodeMapping node, Collection<String> ids);

    /** Which of {@code pairs} (endpoint identities) are rows of the join table in the view. */
    Set<RelationshipKey> existingPairs(RelationshipMapping relationship, Collection<RelationshipKey> pairs);

    @Override
    void close();

    /** One table's rows in the view, chunk by chunk; read from one thread at a time. */
    interface RowChunks extends AutoCloseable {
        /** The next rows (at most the scan's chunk size), every column converted as the stream converts it; empty once all are read. */
        List<Map<String, Object>> next();

        @Override
        void close();
    }

    /** @param lastKey the text of the key columns of the chunk's last row, to read the next chunk from */
    record Chunk(List<Map<String, Object>> rows, List<String> lastKey) {
        public boolean isEmpty() {
            return rows.isEmpty();
        }
    }
}
