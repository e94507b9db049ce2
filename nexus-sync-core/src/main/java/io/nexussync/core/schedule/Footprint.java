package io.nexussync.core.schedule;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a change writes in the graph ({@code owns}: the node or relationship it is about) and which
 * nodes it only points at ({@code refs}: endpoints and parents, which the writer MERGEs). Two changes
 * must keep their stream order when they own the same entity, or when one points at a node the other
 * deletes (applied the other way round, the pointer would bring the deleted node back as an empty one).
 * Pointing at the same node from two places, or at a node that is only upserted, commutes.
 *
 * @param deletes the change removes an entity it owns (a DELETE, or an UPDATE that changes the key)
 * @param barrier a TRUNCATE: nothing may overtake it, and it may overtake nothing
 */
public record Footprint(Set<String> owns, Set<String> refs, boolean deletes, boolean barrier) {
    private static final Footprint TRUNCATE = new Footprint(Set.of(), Set.of(), true, true);

    /** The change's footprint, or null when it has no effect on the graph (an unmapped table, a pair with a null end). */
    public static Footprint of(Mapping mapping, RowChange change) {
        if (change instanceof RowChange.Truncate) {
            return TRUNCATE;
        }
        TableId table = RowChange.tableOf(change);
        var node = mapping.node(table);
        if (node.isPresent()) {
            return ofNode(node.get(), change);
        }
        return mapping.relationship(table).map(r -> ofRelationship(r, change)).orElse(null);
    }

    /** The entity the change is mainly about (the new key's, for an UPDATE that changes it). */
    public String primary() {
        return owns.iterator().next();
    }

    public static String nodeKey(String label, String id) {
        return "N\u0000" + label + "\u0000" + id;
    }

    private static Footprint ofNode(NodeMapping m, RowChange change) {
        Set<String> owns = new LinkedHashSet<>();
        Set<String> refs = new LinkedHashSet<>();
        boolean deletes = false;
        if (change instanceof RowChange.Delete delete) {
            addNode(owns, m.label(), m.identity(delete.oldKey()));
            deletes = true;
        } else {
            Map<String, Object> row = change instanceof RowChange.Insert i ? i.newValues() : ((RowChange.Update) change).newValues();
            String id = m.identity(row);
            addNode(owns, m.label(), id);
            if (change instanceof RowChange.Update u && u.oldKey() != null) {
                String oldId = m.identity(u.oldKey());
                if (oldId != null && !oldId.equals(id)) {
                    addNode(owns, m.label(), oldId);
                    deletes = true;
                }
            }
            for (ParentLink link : m.parentLinks()) {
                addNode(refs, link.parentLabel(), link.parentIdentity(row));
            }
        }
        if (owns.isEmpty()) {
            // A row image without its key: let the planner reject it with its error, which names the table.
            owns.add("N\u0000" + m.label() + "\u0000?");
        }
        return new Footprint(owns, refs, deletes, false);
    }

    private static Footprint ofRelationship(RelationshipMapping m, RowChange change) {
        Set<String> owns = new LinkedHashSet<>();
        Set<String> refs = new LinkedHashSet<>();
        boolean deletes = change instanceof RowChange.Delete;
        if (change instanceof RowChange.Delete delete) {
            addPair(m, delete.oldKey(), owns, refs);
        } else {
            Map<String, Object> row = change instanceof RowChange.Insert i ? i.newValues() : ((RowChange.Update) change).newValues();
            addPair(m, row, owns, refs);
            if (change instanceof RowChange.Update u && u.oldKey() != null) {
                int before = owns.size();
                addPair(m, u.oldKey(), owns, refs);
                deletes = owns.size() > before;
            }
        }
        return owns.isEmpty() ? null : new Footprint(owns, refs, deletes, false);
    }

    private static void addPair(RelationshipMapping m, Map<String, Object> row, Set<String> owns, Set<String> refs) {
        String from = m.from().identity(row);
        String to = m.to().identity(row);
        if (from != null && to != null) {
            owns.add("R\u0000" + m.type() + "\u0000" + from + "\u0000" + to);
            refs.add(nodeKey(m.from().label(), from));
            refs.add(nodeKey(m.to().label(), to));
        }
    }

    private static void addNode(Set<String> keys, String label, String id) {
        if (id != null) {
            keys.add(nodeKey(label, id));
        }
    }
}
