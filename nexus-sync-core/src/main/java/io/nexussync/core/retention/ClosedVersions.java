package io.nexussync.core.retention;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.util.List;

/**
 * The graph's closed versions of a temporal relationship (port; the Neo4j adapter implements it). A closed version is one
 * whose {@code validTo} is a real time, not the open end {@code 9999-12-31T00:00:00Z} of a current version. Only versions of
 * the mapping's own pattern ({@code (:from)-[:type]->(:to)}) are counted or removed.
 *
 * <p>Thread safety: implementations are safe to call from any thread; each call is its own graph transaction.
 */
public interface ClosedVersions {
    /** How many closed versions of {@code type} ended strictly before {@code cut} (a read; nothing changes). */
    long countEndedBefore(RelationshipMapping type, Instant cut);

    /**
     * Removes at most {@code limit} closed versions of {@code type} that ended strictly before {@code cut}, in ONE graph
     * transaction, and returns how many it removed: fewer than {@code limit} means none was left when it ran. Never removes a
     * current version, whatever {@code cut} is.
     */
    long removeEndedBefore(RelationshipMapping type, Instant cut, int limit);

    /**
     * How many tombstones of the node mapping deleted strictly before {@code cut} a compaction would remove (a read): those
     * with no relationship but closed versions of the {@code historyTypes} that ended before the cut, which it removes first.
     */
    long countTombstonesBefore(NodeMapping node, List<String> historyTypes, Instant cut);

    /**
     * Removes at most {@code limit} tombstones of the node mapping deleted strictly before {@code cut} that have no
     * relationship left, in ONE graph transaction, and returns how many: fewer than {@code limit} means none was left. A node
     * that is no longer a tombstone when its lock is taken (its row came back meanwhile) is kept.
     */
    long removeTombstonesBefore(NodeMapping node, Instant cut, int limit);
}
