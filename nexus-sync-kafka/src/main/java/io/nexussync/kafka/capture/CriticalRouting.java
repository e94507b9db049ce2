package io.nexussync.kafka.capture;

import io.nexussync.core.mapping.Lane;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.schedule.Footprint;
import io.nexussync.core.schedule.LaneClassifier;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which changes capture publishes to the critical topic, where apply reads them before the change topic's backlog
 * (shared/contract/schema.md, "Lanes"). Every change goes through {@link #overtakes} in stream order, so the lane
 * classifier sees each entity's previous image as it does in {@code run}.
 *
 * <p>A change may leave its entity's partition of the change topic only if it is CRITICAL and the graph itself already
 * orders it against that entity's older changes, which then arrive after it from the change topic:
 * <ul>
 *   <li>a node's DELETE, for a label with deletion markers (not a tombstoning one): its {@code (:_SyncDeleted)} marker
 *       holds back any older upsert, placeholder or endpoint of the node that comes later. A tombstone would be
 *       brought back by an older upsert, so tombstoning labels keep their deletes in the change topic;</li>
 *   <li>a node's UPDATE classified CRITICAL that keeps the key, whose new row is whole (no {@link Unchanged#TOAST}) and
 *       carries a version: node upserts only move the version forward ({@code pgVersion}), so an older update that comes
 *       later is a no-op. An image lacking a column must stay behind the older change that set it (skipping that change
 *       would lose the column), an UPDATE without a version is not guarded, and a key change also deletes the old key's
 *       node, which this rule does not cover.</li>
 * </ul>
 * Neither overtakes a change of its own entity made earlier in the same PostgreSQL transaction: a commit time cannot
 * order the two, and the marker lets such a tie through for the node's own row. And a DELETE without a commit time
 * writes no marker, so it stays too.
 * Everything else stays in the change topic: inserts, other updates, relationship rows (a temporal pair's versions
 * must stay in order in one partition, and their deletes have no marker) and TRUNCATE. A newer change of the entity in
 * the change topic must not overtake the critical one the other way: apply holds a change topic's partition back while
 * the same partition of the critical topic has records it has not read ({@link io.nexussync.kafka.apply.KafkaApply}).
 *
 * <p>Not thread-safe: capture's one thread calls it.
 */
public final class CriticalRouting {
    private final Mapping mapping;
    private final LaneClassifier lanes;
    /** The entities changed so far in the PostgreSQL transaction being read. */
    private final Set<String> touchedInTransaction = new HashSet<>();

    /** @param laneCacheEntries how many entities' last images the lane classifier remembers (as {@code run}'s) */
    public CriticalRouting(Mapping mapping, int laneCacheEntries) {
        this.mapping = mapping;
        this.lanes = new LaneClassifier(mapping, laneCacheEntries);
    }

    /** Whether the change goes to the critical topic, ahead of its entity's older changes in the change topic. */
    public boolean overtakes(SourceChange source) {
        RowChange change = source.change();
        Footprint footprint = Footprint.of(mapping, change);
        if (footprint == null) {
            return false;
        }
        Lane lane = lanes.classify(change, footprint);
        if (footprint.barrier()) {
            return false;
        }
        boolean tie = footprint.owns().stream().anyMatch(touchedInTransaction::contains);
        touchedInTransaction.addAll(footprint.owns());
        if (lane != Lane.CRITICAL || tie) {
            return false;
        }
        Optional<NodeMapping> node = mapping.node(RowChange.tableOf(change));
        if (node.isEmpty() || node.get().tombstones()) {
            return false;
        }
        if (change instanceof RowChange.Delete) {
            return source.commitTime() != null;
        }
        if (change instanceof RowChange.Update update && !footprint.deletes()) {
            String version = node.get().versionColumn();
            return version != null && update.newValues().get(version) != null && !update.newValues().containsValue(Unchanged.TOAST);
        }
        return false;
    }

    /** The PostgreSQL transaction being read ended: its changes no longer tie with the next ones. */
    public void transactionEnded() {
        touchedInTransaction.clear();
    }
}
