package io.nexussync.core.reverse;

import io.nexussync.core.reverse.EntityEdit.NodeCreated;
import io.nexussync.core.reverse.EntityEdit.NodeDeleted;
import io.nexussync.core.reverse.EntityEdit.NodeUpdated;
import io.nexussync.core.reverse.EntityEdit.RelationshipCreated;
import io.nexussync.core.reverse.EntityEdit.RelationshipDeleted;
import io.nexussync.core.reverse.EntityEdit.RelationshipUpdated;
import io.nexussync.core.fault.CrashPoints;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves the graph's outbox into PostgreSQL, exactly once: one round reads the oldest entries, gives nodes created in the
 * graph PostgreSQL's keys, applies the entries PostgreSQL has not recorded in one transaction that also records the
 * last one's seq, finishes what the graph must do after that commit, and only then removes the entries from the graph.
 * A crash anywhere repeats the round: entries PostgreSQL recorded are not applied again, and the steps after the commit
 * are decided from the state of both sides, so they are repeated harmlessly.
 */
public final class ReverseApplier {
    private final ReverseCatalog catalog;
    private final GraphOutbox outbox;
    private final ReverseStore store;
    private final ReverseListener listener;
    private final Clock clock;
    private final int batchSize;
    private final ReverseDecisions decisions;

    public ReverseApplier(ReverseCatalog catalog, GraphOutbox outbox, ReverseStore store, ReverseListener listener, Clock clock, int batchSize) {
        this.catalog = catalog;
        this.outbox = outbox;
        this.store = store;
        this.listener = listener;
        this.clock = clock;
        this.batchSize = batchSize;
        this.decisions = new ReverseDecisions(catalog);
    }

    /** @return how many outbox entries the round took from the graph (0: none waited) */
    public int applyNext() {
        List<GraphEdit> entries = outbox.next(batchSize);
        if (entries.isEmpty()) {
            return 0;
        }
        long position = store.appliedThrough();
        entries = contiguousAfter(entries, position);
        if (entries.isEmpty()) {
            return 0;
        }
        List<GraphEdit> pending = new ArrayList<>();
        Map<String, String> keysByElementId = new HashMap<>();
        for (GraphEdit entry : entries) {
            GraphEdit keyed = withKeys(entry, keysByElementId);
            if (entry.seq() > position) {
                pending.add(keyed);
            }
        }
        ReverseBatch batch = pending.isEmpty() ? ReverseBatch.NONE : store.apply(pending, decisions, true);
        if (!pending.isEmpty()) {
            CrashPoints.reach(CrashPoints.REVERSE_AFTER_POSTGRES_COMMIT);
        }
        finishInGraph(entries, keysByElementId);
        outbox.removeThrough(entries.get(entries.size() - 1).seq());
        listener.applied(pending, batch, clock.instant());
        return entries.size();
    }

    /**
     * The entries up to the first gap in their numbering. Seqs have no holes (a transaction rolled back takes its number
     * with it), but a read can see entry n+1 committed before entry n is: recording n+1 as applied would skip n for good.
     * So a round takes only what follows the position without a gap, and a missing number is waited for.
     */
    private static List<GraphEdit> contiguousAfter(List<GraphEdit> entries, long position) {
        List<GraphEdit> contiguous = new ArrayList<>();
        long expected = position + 1;
        for (GraphEdit entry : entries) {
            if (entry.seq() <= position) {
                contiguous.add(entry);
            } else if (entry.seq() == expected) {
                contiguous.add(entry);
                expected++;
            } else {
                break;
            }
        }
        return contiguous;
    }

    /**
     * Gives a node created without a key PostgreSQL's (its column default), written to the node before the row exists so
     * that the row's INSERT, streamed back, finds the node rather than making a second one; and names the node in edits
     * recorded before it had its key. A key already on the node (an earlier try) is kept.
     */
    private GraphEdit withKeys(GraphEdit entry, Map<String, String> keysByElementId) {
        List<EntityEdit> edits = new ArrayList<>();
        for (EntityEdit edit : entry.edits()) {
            EntityEdit keyed = edit.accept(new EntityEdit.Visitor<EntityEdit>() {
                @Override
                public EntityEdit nodeUpdated(NodeUpdated e) {
                    String id = e.id() != null ? e.id() : keyOf(e.label(), e.elementId(), keysByElementId);
                    return id == null ? null : new NodeUpdated(e.label(), id, e.elementId(), e.basePgVersion(), e.baseGraphVersion(),
                            e.graphVersion(), e.changes());
                }

                @Override
                public EntityEdit nodeCreated(NodeCreated e) {
                    ReverseCatalog.NodeRules rules = catalog.node(e.label()).orElse(null);
                    if (rules == null) {
                        return null;
                    }
                    String key = e.id() != null ? e.id() : keyOf(e.label(), e.elementId(), keysByElementId);
                    if (key == null && !rules.mapping().compositeKey() && rules.rules().create()) {
                        key = outbox.assignKey(e.label(), rules.idProperty(), e.elementId(),
                                store.newKey(rules.mapping().table(), rules.mapping().keyColumn()));
                        CrashPoints.reach(CrashPoints.REVERSE_AFTER_KEY_ASSIGNED);
                    }
                    if (key == null) {
                        return null;
                    }
                    keysByElementId.put(e.elementId(), key);
                    return e.withId(key);
                }

                @Override
                public EntityEdit nodeDeleted(NodeDeleted e) {
                    String id = e.id() != null ? e.id() : keysByElementId.get(e.elementId());
                    return id == null ? null : new NodeDeleted(e.label(), id, e.elementId(), e.basePgVersion(), e.baseGraphVersion());
                }

                @Override
                public EntityEdit relationshipCreated(RelationshipCreated e) {
                    return e;
                }

                @Override
                public EntityEdit relationshipDeleted(RelationshipDeleted e) {
                    return e;
                }

                @Override
                public EntityEdit relationshipUpdated(RelationshipUpdated e) {
                    return e;
                }
            });
            if (keyed != null) {
                edits.add(keyed);
            }
        }
        return new GraphEdit(entry.seq(), entry.committedAt(), edits);
    }

    private String keyOf(String label, String elementId, Map<String, String> keysByElementId) {
        String known = keysByElementId.get(elementId);
        if (known != null) {
            return known;
        }
        return catalog.node(label).map(rules -> outbox.keyOf(label, rules.idProperty(), elementId)).orElse(null);
    }

    /**
     * What PostgreSQL refused to create goes from the graph too (PostgreSQL owns existence): decided from whether the row
     * exists now, so a round repeated after a crash does the same.
     */
    private void finishInGraph(List<GraphEdit> entries, Map<String, String> keysByElementId) {
        Map<RowRef, Runnable> removals = new LinkedHashMap<>();
        for (GraphEdit entry : entries) {
            for (EntityEdit edit : entry.edits()) {
                edit.accept(new EntityEdit.Visitor<Void>() {
                    @Override
                    public Void nodeCreated(NodeCreated e) {
                        String key = e.id() != null ? e.id() : keysByElementId.get(e.elementId());
                        catalog.node(e.label()).ifPresent(rules -> {
                            if (key != null) {
                                removals.put(rules.row(key), () -> outbox.removeNode(e.label(), e.elementId()));
                            } else {
                                outbox.removeNode(e.label(), e.elementId());
                            }
                        });
                        return null;
                    }

                    @Override
                    public Void relationshipCreated(RelationshipCreated e) {
                        catalog.relationship(e.type()).filter(rules -> !rules.mapping().temporal() && e.fromId() != null && e.toId() != null).ifPresent(rules ->
                                removals.put(rules.row(e.fromId(), e.toId()), () -> outbox.removeRelationship(rules, e.fromId(), e.toId())));
                        return null;
                    }

                    @Override
                    public Void nodeUpdated(NodeUpdated e) {
                        return null;
                    }

                    @Override
                    public Void nodeDeleted(NodeDeleted e) {
                        return null;
                    }

                    @Override
                    public Void relationshipDeleted(RelationshipDeleted e) {
                        return null;
                    }

                    @Override
                    public Void relationshipUpdated(RelationshipUpdated e) {
                        return null;
                    }
                });
            }
        }
        if (removals.isEmpty()) {
            return;
        }
        Set<RowRef> existing = store.existing(removals.keySet());
        removals.forEach((row, removal) -> {
            if (!existing.contains(row)) {
                removal.run();
            }
        });
    }
}
