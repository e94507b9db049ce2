package io.nexussync.core.reverse;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.ConflictRule;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.mapping.ReverseRules;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.reverse.ConflictRecord.Side;
import io.nexussync.core.reverse.EntityEdit.NodeCreated;
import io.nexussync.core.reverse.EntityEdit.NodeDeleted;
import io.nexussync.core.reverse.EntityEdit.NodeUpdated;
import io.nexussync.core.reverse.EntityEdit.RelationshipCreated;
import io.nexussync.core.reverse.EntityEdit.RelationshipDeleted;
import io.nexussync.core.reverse.EntityEdit.RelationshipUpdated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The decisions of reverse sync, made in PostgreSQL's transaction from the locked rows.
 *
 * <p>Version vectors tell a fast-forward from a concurrent change: an edit based on the row version the row still has
 * applies as it is. When the row moved on since (PostgreSQL changed it while the graph edit waited), each property is
 * merged three ways: a property whose row value is still the edit's old value (only the graph changed it) or already
 * its new value takes the graph's; one both sides changed to different values is a conflict, settled by the column's
 * rule. PostgreSQL owns existence: a graph edit of a row deleted meanwhile makes no row.
 *
 * <p>Every row written is bumped once (the store's job), so the stream carries the decided state back to the graph; a
 * graph version already recorded in the row makes the edit a no-op (a repeat, or a poll that saw it applied).
 */
public final class ReverseDecisions implements EditDecider {
    private final ReverseCatalog catalog;

    public ReverseDecisions(ReverseCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<RowRef> rowsOf(EntityEdit edit) {
        RowRef ref = edit.accept(new RefOf());
        return ref == null ? List.of() : List.of(ref);
    }

    @Override
    public Decision decide(GraphEdit entry, EntityEdit edit, Map<RowRef, RowState> rows) {
        RowRef ref = edit.accept(new RefOf());
        if (ref == null) {
            return Decision.NOTHING;
        }
        return edit.accept(new Decide(entry, ref, rows.get(ref)));
    }

    @Override
    public Decision refused(GraphEdit entry, EntityEdit edit, Map<RowRef, RowState> rows, SyncException error) {
        RowRef ref = edit.accept(new RefOf());
        if (ref == null) {
            return Decision.NOTHING;
        }
        RowState row = rows.get(ref);
        String reason = "PostgreSQL refused the graph's change: " + error.getMessage();
        Long graphVersion = graphVersionOf(edit, row);
        ConflictRecord record = new ConflictRecord(ref, edit.entity(), ConflictRecord.Kind.REFUSED, null, ConflictRule.POSTGRES_WINS, Side.POSTGRES,
                row == null ? null : row.pgVersion(), row == null ? null : row.graphVersion(), edit.basePgVersion(), graphVersion,
                null, null, row == null ? null : row.lastCommitted(), entry.committedAt(), entry.seq(), reason);
        // The graph shows what PostgreSQL refused: a bump brings the row's state back to it (a created entity without a
        // row is removed by the applier after the commit).
        List<RowWrite> writes = row == null ? List.of() : List.of(new RowWrite.Update(ref, Map.of(), graphVersion));
        return new Decision(writes, List.of(record));
    }

    /** The graph version a refused edit gave its node (what the row records it has seen), or null for a relationship's. */
    private Long graphVersionOf(EntityEdit edit, RowState row) {
        Long version = edit.accept(new EntityEdit.Visitor<Long>() {
            @Override
            public Long nodeUpdated(NodeUpdated e) {
                return hasGraphVersion(e.label()) ? e.graphVersion() : null;
            }

            @Override
            public Long nodeCreated(NodeCreated e) {
                return hasGraphVersion(e.label()) ? e.graphVersion() : null;
            }

            @Override
            public Long nodeDeleted(NodeDeleted e) {
                return null;
            }

            @Override
            public Long relationshipCreated(RelationshipCreated e) {
                return null;
            }

            @Override
            public Long relationshipDeleted(RelationshipDeleted e) {
                return null;
            }

            @Override
            public Long relationshipUpdated(RelationshipUpdated e) {
                return null;
            }
        });
        if (version != null && row != null && row.graphVersion() != null) {
            return Math.max(version, row.graphVersion());
        }
        return version;
    }

    private boolean hasGraphVersion(String label) {
        return catalog.node(label).map(n -> n.graphVersionProperty() != null).orElse(false);
    }

    /** The row an edit names, or null when its label or type does not flow back (or a node still has no key). */
    private final class RefOf implements EntityEdit.Visitor<RowRef> {
        @Override
        public RowRef nodeUpdated(NodeUpdated e) {
            return node(e.label(), e.id());
        }

        @Override
        public RowRef nodeCreated(NodeCreated e) {
            return node(e.label(), e.id());
        }

        @Override
        public RowRef nodeDeleted(NodeDeleted e) {
            return node(e.label(), e.id());
        }

        @Override
        public RowRef relationshipCreated(RelationshipCreated e) {
            return relationship(e.type(), e.fromId(), e.toId());
        }

        @Override
        public RowRef relationshipDeleted(RelationshipDeleted e) {
            return relationship(e.type(), e.fromId(), e.toId());
        }

        @Override
        public RowRef relationshipUpdated(RelationshipUpdated e) {
            return relationship(e.type(), e.fromId(), e.toId());
        }

        private RowRef node(String label, String id) {
            return id == null ? null : catalog.node(label).map(rules -> rules.row(id)).orElse(null);
        }

        private RowRef relationship(String type, String fromId, String toId) {
            return fromId == null || toId == null ? null : catalog.relationship(type).map(rules -> rules.row(fromId, toId)).orElse(null);
        }
    }

    /** One edit against its row (null: no row). */
    private final class Decide implements EntityEdit.Visitor<Decision> {
        private final GraphEdit entry;
        private final RowRef ref;
        private final RowState row;
        private final List<ConflictRecord> conflicts = new ArrayList<>();

        Decide(GraphEdit entry, RowRef ref, RowState row) {
            this.entry = entry;
            this.ref = ref;
            this.row = row;
        }

        @Override
        public Decision nodeUpdated(NodeUpdated e) {
            ReverseCatalog.NodeRules rules = catalog.node(e.label()).orElseThrow();
            boolean versioned = rules.graphVersionProperty() != null;
            if (row == null) {
                return rowGone(e.label(), e.basePgVersion(), versioned ? e.graphVersion() : null);
            }
            if (versioned && row.graphVersion() != null && row.graphVersion() >= e.graphVersion()) {
                return Decision.NOTHING;
            }
            boolean concurrent = e.basePgVersion() == null || row.pgVersion() > e.basePgVersion();
            Map<String, Object> current = GraphPlanner.nodeProperties(rules.mapping(), row.values());
            Merge merge = merge(e.label(), e.changes(), rules.columnsByProperty(), rules.rules(), current, concurrent,
                    e.basePgVersion(), versioned ? e.graphVersion() : null);
            Long graphVersion = versioned ? Math.max(e.graphVersion(), row.graphVersion() == null ? 0 : row.graphVersion()) : null;
            return new Decision(List.of(new RowWrite.Update(ref, merge.columns, graphVersion)), conflicts);
        }

        @Override
        public Decision nodeCreated(NodeCreated e) {
            ReverseCatalog.NodeRules rules = catalog.node(e.label()).orElseThrow();
            NodeMapping m = rules.mapping();
            Long graphVersion = rules.graphVersionProperty() != null ? e.graphVersion() : null;
            if (row != null) {
                // The key names a row already (a node created with an existing key): the row is the truth, the bump shows it.
                conflicts.add(record(e.label(), null, ConflictRule.POSTGRES_WINS, Side.POSTGRES, null, graphVersion, null, null,
                        "a row with this key exists; PostgreSQL owns existence, the node shows the row"));
                Long recorded = graphVersion == null ? null : Math.max(graphVersion, row.graphVersion() == null ? 0 : row.graphVersion());
                return new Decision(List.of(new RowWrite.Update(ref, Map.of(), recorded)), conflicts);
            }
            if (!rules.rules().create()) {
                conflicts.add(record(e.label(), null, ConflictRule.POSTGRES_WINS, Side.POSTGRES, null, graphVersion, null, null,
                        "the mapping does not let nodes of " + e.label() + " created in the graph insert rows (reverse: create: false)"));
                return new Decision(List.of(), conflicts);
            }
            Map<String, Object> columns = new LinkedHashMap<>(ref.key());
            for (Map.Entry<String, Object> property : new TreeMap<>(e.properties()).entrySet()) {
                String column = rules.columnsByProperty().get(property.getKey());
                if (column != null && property.getValue() != null) {
                    columns.put(column, property.getValue());
                }
            }
            return new Decision(List.of(new RowWrite.Insert(m.table(), columns, graphVersion, e.elementId(), e.id())), conflicts);
        }

        @Override
        public Decision nodeDeleted(NodeDeleted e) {
            ReverseCatalog.NodeRules rules = catalog.node(e.label()).orElseThrow();
            if (row == null) {
                return Decision.NOTHING;
            }
            Long graphVersion = rules.graphVersionProperty() == null ? null : Math.max(e.baseGraphVersion(), row.graphVersion() == null ? 0 : row.graphVersion());
            if (rules.rules().onDelete() == ReverseRules.DeletePolicy.REFUSE) {
                conflicts.add(record(e.label(), null, ConflictRule.POSTGRES_WINS, Side.POSTGRES, e.basePgVersion(), graphVersion, null, null,
                        "the mapping refuses deletes of " + e.label() + " made in the graph; the node is restored from its row"));
                return new Decision(List.of(new RowWrite.Update(ref, Map.of(), graphVersion)), conflicts);
            }
            return delete(e.label(), e.basePgVersion(), graphVersion, rules.rules(), true);
        }

        @Override
        public Decision relationshipCreated(RelationshipCreated e) {
            ReverseCatalog.RelationshipRules rules = catalog.relationship(e.type()).orElseThrow();
            RelationshipMapping m = rules.mapping();
            if (row != null) {
                // Both sides made the pair: its properties are merged as concurrent edits with no common base.
                Map<String, PropertyChange> changes = new LinkedHashMap<>();
                e.properties().forEach((property, value) -> changes.put(property, new PropertyChange(PropertyChange.UNKNOWN, value)));
                return relationshipMerge(e.type(), changes, null, rules);
            }
            if (!rules.rules().create()) {
                conflicts.add(record(e.type(), null, ConflictRule.POSTGRES_WINS, Side.POSTGRES, null, null, null, null,
                        "the mapping does not let " + e.type() + " relationships created in the graph insert rows (reverse: create: false)"));
                return new Decision(List.of(), conflicts);
            }
            Map<String, Object> columns = new LinkedHashMap<>(ref.key());
            for (Map.Entry<String, Object> property : new TreeMap<>(e.properties()).entrySet()) {
                String column = rules.columnsByProperty().get(property.getKey());
                if (column != null && property.getValue() != null) {
                    columns.put(column, property.getValue());
                }
            }
            return new Decision(List.of(new RowWrite.Insert(m.table(), columns, null, null, ref.entityKey())), conflicts);
        }

        @Override
        public Decision relationshipDeleted(RelationshipDeleted e) {
            ReverseCatalog.RelationshipRules rules = catalog.relationship(e.type()).orElseThrow();
            if (row == null) {
                return Decision.NOTHING;
            }
            if (rules.rules().onDelete() == ReverseRules.DeletePolicy.REFUSE) {
                conflicts.add(record(e.type(), null, ConflictRule.POSTGRES_WINS, Side.POSTGRES, e.basePgVersion(), null, null, null,
                        "the mapping refuses deletes of " + e.type() + " made in the graph; the relationship is restored from its row"));
                return restoreRelationship(rules);
            }
            return delete(e.type(), e.basePgVersion(), null, rules.rules(), !rules.mapping().temporal());
        }

        @Override
        public Decision relationshipUpdated(RelationshipUpdated e) {
            ReverseCatalog.RelationshipRules rules = catalog.relationship(e.type()).orElseThrow();
            if (row == null) {
                return rowGone(e.type(), e.basePgVersion(), null);
            }
            return relationshipMerge(e.type(), e.changes(), e.basePgVersion(), rules);
        }

        private Decision relationshipMerge(String type, Map<String, PropertyChange> changes, Long basePgVersion,
                                           ReverseCatalog.RelationshipRules rules) {
            boolean concurrent = basePgVersion == null || row.pgVersion() > basePgVersion;
            Map<String, Object> current = GraphPlanner.relationshipProperties(rules.mapping(), row.values());
            Merge merge = merge(type, changes, rules.columnsByProperty(), rules.rules(), current, concurrent, basePgVersion, null);
            // A temporal relationship never showed the edit (the plugin kept its version as it was): with nothing to write,
            // no new version. Any other shows the graph's value until the row's state comes back.
            boolean graphShowsOther = merge.kept && !rules.mapping().temporal();
            if (merge.columns.isEmpty() && !graphShowsOther) {
                return new Decision(List.of(), conflicts);
            }
            return new Decision(List.of(new RowWrite.Update(ref, merge.columns, null)), conflicts);
        }

        private Decision restoreRelationship(ReverseCatalog.RelationshipRules rules) {
            // A temporal relationship's current version was recreated by the plugin; any other comes back with a bump.
            return rules.mapping().temporal() ? new Decision(List.of(), conflicts)
                    : new Decision(List.of(new RowWrite.Update(ref, Map.of(), null)), conflicts);
        }

        /** A delete of an entity whose row PostgreSQL changed since the graph saw it is settled by the table's default rule. */
        private Decision delete(String entity, Long basePgVersion, Long graphVersion, ReverseRules rules, boolean restoreByBump) {
            boolean concurrent = basePgVersion == null || row.pgVersion() > basePgVersion;
            if (!concurrent) {
                return new Decision(List.of(new RowWrite.Delete(ref)), conflicts);
            }
            Settled settled = settle(rules.defaultRule());
            conflicts.add(record(entity, null, rules.defaultRule(), settled.side, basePgVersion, graphVersion, "(row)", "(deleted)",
                    settled.reason + " (deleted in the graph while PostgreSQL changed the row)"));
            if (settled.side == Side.GRAPH) {
                return new Decision(List.of(new RowWrite.Delete(ref)), conflicts);
            }
            return restoreByBump ? new Decision(List.of(new RowWrite.Update(ref, Map.of(), graphVersion)), conflicts)
                    : new Decision(List.of(), conflicts);
        }

        private Decision rowGone(String entity, Long basePgVersion, Long graphVersion) {
            conflicts.add(record(entity, null, ConflictRule.POSTGRES_WINS, Side.POSTGRES, basePgVersion, graphVersion, null, null,
                    "the row was deleted in PostgreSQL; PostgreSQL owns existence, the graph's entity goes with it"));
            return new Decision(List.of(), conflicts);
        }

        private Merge merge(String entity, Map<String, PropertyChange> changes, Map<String, String> columnsByProperty, ReverseRules rules,
                            Map<String, Object> current, boolean concurrent, Long basePgVersion, Long graphVersion) {
            Merge merge = new Merge();
            for (Map.Entry<String, PropertyChange> change : new TreeMap<>(changes).entrySet()) {
                String column = columnsByProperty.get(change.getKey());
                if (column == null) {
                    continue;
                }
                Object proposed = change.getValue().newValue();
                Object rowValue = current.get(change.getKey());
                if (ReverseValues.same(proposed, rowValue)) {
                    continue;
                }
                boolean onlyGraphChangedIt = change.getValue().oldValueKnown() && ReverseValues.same(change.getValue().oldValue(), rowValue);
                if (!concurrent || onlyGraphChangedIt) {
                    merge.columns.put(column, proposed);
                    continue;
                }
                ConflictRule rule = rules.rule(column);
                Settled settled = settle(rule);
                conflicts.add(record(entity, column, rule, settled.side, basePgVersion, graphVersion, ReverseValues.text(rowValue),
                        ReverseValues.text(proposed), settled.reason));
                if (settled.side == Side.GRAPH) {
                    merge.columns.put(column, proposed);
                } else {
                    merge.kept = true;
                }
            }
            return merge;
        }

        private Settled settle(ConflictRule rule) {
            switch (rule) {
                case GRAPH_WINS:
                    return new Settled(Side.GRAPH, "graph-wins");
                case POSTGRES_WINS:
                    return new Settled(Side.POSTGRES, "postgres-wins");
                case MANUAL:
                    return new Settled(Side.WAITING, "manual: PostgreSQL's value stays until a person decides");
                case LAST_WRITER_WINS:
                    Instant graphTime = entry.committedAt();
                    Instant rowTime = row.lastCommitted();
                    if (rowTime == null || graphTime == null) {
                        return new Settled(Side.POSTGRES, "last-writer-wins without commit times (PostgreSQL's track_commit_timestamp is off): "
                                + "PostgreSQL's value stays");
                    }
                    return graphTime.isAfter(rowTime)
                            ? new Settled(Side.GRAPH, "last-writer-wins: the graph committed at " + graphTime + ", after the row at " + rowTime)
                            : new Settled(Side.POSTGRES, "last-writer-wins: the row committed at " + rowTime + ", not before the graph at " + graphTime);
                default:
                    throw new IllegalStateException("unhandled conflict rule " + rule);
            }
        }

        private ConflictRecord record(String entity, String property, ConflictRule rule, Side side, Long basePgVersion, Long graphVersion,
                                      String postgresValue, String graphValue, String reason) {
            ConflictRecord.Kind kind = property != null ? ConflictRecord.Kind.PROPERTY
                    : "(deleted)".equals(graphValue) ? ConflictRecord.Kind.DELETE : ConflictRecord.Kind.EXISTENCE;
            return new ConflictRecord(ref, entity, kind, property, rule, side, row == null ? null : row.pgVersion(),
                    row == null ? null : row.graphVersion(), basePgVersion, graphVersion, postgresValue, graphValue,
                    row == null ? null : row.lastCommitted(), entry.committedAt(), entry.seq(), reason);
        }
    }

    private static final class Merge {
        final Map<String, Object> columns = new LinkedHashMap<>();
        boolean kept;
    }

    private record Settled(Side side, String reason) {}
}
