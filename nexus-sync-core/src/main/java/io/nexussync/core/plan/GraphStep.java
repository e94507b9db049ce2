package io.nexussync.core.plan;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One group of graph writes of the same kind, label and type: what the Neo4j writer turns into one
 * {@code UNWIND $rows ...} statement. Properties hold values the graph can store (no TOAST markers).
 */
public sealed interface GraphStep {

    /** One method per kind of step: a new kind does not compile until every writer says how it writes it. */
    interface Visitor {
        void deleteNodes(DeleteNodes step);

        void upsertNodes(UpsertNodes step);

        void linkParents(LinkParents step);

        void deleteRelationships(DeleteRelationships step);

        void upsertRelationships(UpsertRelationships step);

        void temporalRound(TemporalRound step);

        void truncateNodes(TruncateNodes step);

        void truncateRelationships(TruncateRelationships step);

        void deleteUnidentifiedNodes(DeleteUnidentifiedNodes step);

        void tombstoneNodes(TombstoneNodes step);
    }

    void accept(Visitor visitor);

    /**
     * Detach-deletes the nodes (their relationships, graph-only ones included, go with them).
     *
     * @param deletedAt per id, in the same order, the commit time of its delete, or null (a repair's delete has none): a
     *                  writer that keeps deletion markers records it, so that an older change arriving later (order across
     *                  entities is lost on the way through Kafka) cannot bring the node back as a placeholder
     */
    record DeleteNodes(NodeMapping mapping, List<String> ids, List<Instant> deletedAt) implements GraphStep {
        public DeleteNodes {
            if (deletedAt.size() != ids.size()) {
                throw new IllegalArgumentException("a deletion time per id: " + ids.size() + " ids, " + deletedAt.size() + " times");
            }
            ids = List.copyOf(ids);
            deletedAt = Collections.unmodifiableList(new ArrayList<>(deletedAt));
        }

        /** Deletes without a time: no deletion marker is kept for them. */
        public DeleteNodes(NodeMapping mapping, List<String> ids) {
            this(mapping, ids, Collections.nCopies(ids.size(), null));
        }

        @Override
        public void accept(Visitor visitor) {
            visitor.deleteNodes(this);
        }
    }

    /**
     * Keeps each deleted row's node as a tombstone ({@link NodeMapping#tombstones()}): it gains the tombstone label and
     * its deletion time, its open versions of the {@code historyTypes} (the temporal relationship types that touch its label)
     * close at that time, and every other relationship goes. A node already a tombstone is left as it is.
     */
    record TombstoneNodes(NodeMapping mapping, List<String> historyTypes, List<Tombstone> rows) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.tombstoneNodes(this);
        }
    }

    /**
     * Detach-deletes nodes of a mapped label that have no identity property, by elementId: no row can name them,
     * so only verify's repair writes this step. A node that has gained an identity since it was found is kept.
     */
    record DeleteUnidentifiedNodes(NodeMapping mapping, List<String> elementIds) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.deleteUnidentifiedNodes(this);
        }
    }

    /** Merges each node by id and sets its properties, unless the graph already holds a newer version. */
    record UpsertNodes(NodeMapping mapping, List<NodeRow> rows) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.upsertNodes(this);
        }
    }

    /** Sets the one relationship that a foreign-key column implies, replacing a link to another parent. */
    record LinkParents(NodeMapping mapping, ParentLink link, List<ParentRow> rows) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.linkParents(this);
        }
    }

    record DeleteRelationships(RelationshipMapping mapping, List<RelationshipKey> keys) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.deleteRelationships(this);
        }
    }

    record UpsertRelationships(RelationshipMapping mapping, List<RelationshipRow> rows) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.upsertRelationships(this);
        }
    }

    /** One round of temporal changes: at most one per (from, to) pair, so rows never interfere. */
    record TemporalRound(RelationshipMapping mapping, List<TemporalRow> rows) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.temporalRound(this);
        }
    }

    /** Every node of the label goes, or for a mapping that keeps tombstones, becomes one at {@code at}. */
    record TruncateNodes(NodeMapping mapping, List<String> historyTypes, Instant at) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.truncateNodes(this);
        }
    }

    record TruncateRelationships(RelationshipMapping mapping, Instant at) implements GraphStep {
        @Override
        public void accept(Visitor visitor) {
            visitor.truncateRelationships(this);
        }
    }

    /**
     * @param knownElementId the cross-reference the row already holds, or null: a different elementId is written back
     */
    /**
     * @param wholeRow the row image held every column (no unchanged TOAST value): its properties replace the
     *                 node's (graph-only ones kept), so a property no column backs any more goes; otherwise they add
     * @param at the commit time of the row's last change in the batch, or null (a snapshot's, a backfill's row): a writer
     *           that keeps deletion markers does not create the node when it was deleted after this time
     */
    record NodeRow(String id, Map<String, Object> properties, Long version, String knownElementId, boolean wholeRow, Instant at) {
        public NodeRow(String id, Map<String, Object> properties, Long version, String knownElementId, boolean wholeRow) {
            this(id, properties, version, knownElementId, wholeRow, null);
        }
    }

    /**
     * @param parentId null removes the link
     * @param at the commit time of the child's last change in the batch, or null: see {@link NodeRow#at()}, for the parent
     */
    record ParentRow(String childId, String parentId, Long childVersion, Instant at) {
        public ParentRow(String childId, String parentId, Long childVersion) {
            this(childId, parentId, childVersion, null);
        }
    }

    record RelationshipKey(String fromId, String toId) {}

    /** @param at the commit time of the delete */
    record Tombstone(String id, Instant at) {}

    /** @param at the commit time of the pair's last change in the batch, or null: see {@link NodeRow#at()}, for both ends */
    record RelationshipRow(String fromId, String toId, Map<String, Object> properties, Long version, Instant at) {
        public RelationshipRow(String fromId, String toId, Map<String, Object> properties, Long version) {
            this(fromId, toId, properties, version, null);
        }
    }

    /** @param properties null closes the current version without opening a new one (the row was deleted) */
    record TemporalRow(String fromId, String toId, Map<String, Object> properties, Long version, Instant at) {
        public boolean closesOnly() {
            return properties == null;
        }
    }
}
