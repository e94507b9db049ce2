package io.nexussync.bench;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.PropertyNames;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The Debezium peer's loader: what a competent user writes to turn one poll batch of row changes into
 * one Neo4j transaction of {@code UNWIND $rows ...} statements, per table and operation, with the
 * contract's graph (node properties, {@code HAS_MESSAGE}, {@code TAGGED_WITH}, {@code INCLUDES} with
 * its temporal history) and nothing of the service's (no version guards, write-back or checkpoint).
 *
 * <p>A batch is coalesced per key so that no statement holds a key twice (Neo4j may run a statement's
 * clauses for all rows before the next clause, which would reorder two changes to one key): a node or
 * a plain relationship keeps its last state, its properties merged over the batch (an update whose
 * unchanged TOAST columns Debezium left out keeps the values of an earlier update), and is deleted
 * first if any of its changes was a delete; a temporal relationship keeps every version, its history
 * worked out here (each version open until the key's next change). Statements run relationship
 * deletes, node deletes, node upserts (parents before children), then relationship upserts: the end
 * state of every key is that of its last change.
 */
final class PeerStatements {
    /** {@code validTo} of the open version of a temporal relationship. */
    static final OffsetDateTime FOREVER = OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC);

    /** One row change of the batch, as the loader takes it from Debezium; {@code values} lacks unchanged TOAST columns. */
    record PeerChange(TableId table, boolean delete, Map<String, Object> values, OffsetDateTime commitTime) {}

    /** One statement of the batch's transaction and its rows. */
    record Statement(String cypher, List<Object> rows) {}

    private final Mapping mapping;
    private final List<NodeMapping> parentsFirst = new ArrayList<>();
    private final Map<TableId, String[]> cypher = new HashMap<>();

    PeerStatements(Mapping mapping) {
        this.mapping = mapping;
        mapping.nodes().stream().filter(n -> n.parentLinks().isEmpty()).forEach(parentsFirst::add);
        mapping.nodes().stream().filter(n -> !n.parentLinks().isEmpty()).forEach(parentsFirst::add);
        for (NodeMapping n : mapping.nodes()) {
            String node = "(n:" + quote(n.label()) + " {" + quote(n.idProperty()) + ": ";
            StringBuilder upsert = new StringBuilder("UNWIND $rows AS r MERGE " + node + "r.id}) SET n += r.props, n.lastSyncedAt = datetime()");
            for (int i = 0; i < n.parentLinks().size(); i++) {
                ParentLink link = n.parentLinks().get(i);
                String type = quote(link.type());
                String other = "(p:" + quote(link.parentLabel()) + ")";
                String arrow = link.parentToChild() ? other + "-[l:" + type + "]->(n)" : "(n)-[l:" + type + "]->" + other;
                String parent = "r.parents[" + i + "]";
                // a changed parent moves the link; the row's own parent is matched (the foreign key says it exists)
                upsert.append(" WITH n, r FOREACH (old IN [").append(arrow).append(" WHERE p.").append(quote(link.parentIdProperty()))
                        .append(" <> ").append(parent).append(" | l] | DELETE old)")
                        .append(" WITH n, r OPTIONAL MATCH (p:").append(quote(link.parentLabel())).append(" {")
                        .append(quote(link.parentIdProperty())).append(": ").append(parent).append("})")
                        .append(" FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE ")
                        .append(link.parentToChild() ? "(p)-[:" + type + "]->(n)" : "(n)-[:" + type + "]->(p)").append(")");
            }
            cypher.put(n.table(), new String[] {upsert.toString(), "UNWIND $rows AS id MATCH " + node + "id}) DETACH DELETE n"});
        }
        for (RelationshipMapping m : mapping.relationships()) {
            String ends = "MATCH (a:" + quote(m.from().label()) + " {" + quote(m.from().idProperty()) + ": r.from}) "
                    + "MATCH (b:" + quote(m.to().label()) + " {" + quote(m.to().idProperty()) + ": r.to}) ";
            String type = quote(m.type());
            if (m.temporal()) {
                cypher.put(m.table(), new String[] {"UNWIND $rows AS r " + ends
                        + "FOREACH (open IN [(a)-[x:" + type + "]->(b) WHERE x.validTo = datetime('9999-12-31T00:00:00Z') | x] | SET open.validTo = r.closeAt) "
                        + "FOREACH (v IN r.versions | CREATE (a)-[x:" + type + "]->(b) SET x = v)"});
            } else {
                cypher.put(m.table(), new String[] {"UNWIND $rows AS r " + ends + "MERGE (a)-[x:" + type + "]->(b) SET x += r.props",
                        "UNWIND $rows AS r MATCH (a:" + quote(m.from().label()) + " {" + quote(m.from().idProperty()) + ": r.from})-[x:" + type
                                + "]->(b:" + quote(m.to().label()) + " {" + quote(m.to().idProperty()) + ": r.to}) DELETE x"});
            }
        }
    }

    /** The batch's statements in the order they run, one transaction; empty groups left out. */
    List<Statement> plan(List<PeerChange> batch) {
        Map<TableId, Map<String, Keyed>> byTable = new LinkedHashMap<>();
        for (PeerChange change : batch) {
            Map<String, Keyed> keys = byTable.computeIfAbsent(change.table(), t -> new LinkedHashMap<>());
            var node = mapping.node(change.table());
            if (node.isPresent()) {
                String id = node.get().identity(change.values());
                keys.computeIfAbsent(id, k -> new Keyed(Map.of("id", k), false))
                        .apply(change, nodeProps(node.get(), change.values(), id), parents(node.get(), change.values()));
            } else {
                RelationshipMapping m = relationship(change.table());
                String from = m.from().identity(change.values());
                String to = m.to().identity(change.values());
                keys.computeIfAbsent(RelationshipMapping.pairKey(from, to), k -> new Keyed(Map.of("from", from, "to", to), m.temporal()))
                        .apply(change, relationshipProps(m, change.values()), null);
            }
        }
        List<Statement> statements = new ArrayList<>();
        for (RelationshipMapping m : mapping.relationships()) {
            if (!m.temporal()) {
                add(statements, cypher.get(m.table())[1], byTable.get(m.table()), k -> k.deleted, k -> k.endpoints);
            }
        }
        for (NodeMapping n : mapping.nodes()) {
            add(statements, cypher.get(n.table())[1], byTable.get(n.table()), k -> k.deleted, k -> k.endpoints.get("id"));
        }
        for (NodeMapping n : parentsFirst) {
            add(statements, cypher.get(n.table())[0], byTable.get(n.table()), k -> k.props != null, k -> {
                Map<String, Object> row = new HashMap<>(k.endpoints);
                row.put("props", k.props);
                if (!n.parentLinks().isEmpty()) {
                    row.put("parents", k.parents);
                }
                return row;
            });
        }
        for (RelationshipMapping m : mapping.relationships()) {
            if (m.temporal()) {
                add(statements, cypher.get(m.table())[0], byTable.get(m.table()), k -> true, k -> {
                    Map<String, Object> row = new HashMap<>(k.endpoints);
                    row.put("closeAt", k.firstChange);
                    row.put("versions", k.versions);
                    return row;
                });
            } else {
                add(statements, cypher.get(m.table())[0], byTable.get(m.table()), k -> k.props != null, k -> {
                    Map<String, Object> row = new HashMap<>(k.endpoints);
                    row.put("props", k.props);
                    return row;
                });
            }
        }
        return statements;
    }

    private static void add(List<Statement> statements, String cypher, Map<String, Keyed> keys,
                            Predicate<Keyed> included, Function<Keyed, Object> row) {
        if (keys == null) {
            return;
        }
        List<Object> rows = new ArrayList<>();
        for (Keyed k : keys.values()) {
            if (included.test(k)) {
                rows.add(row.apply(k));
            }
        }
        if (!rows.isEmpty()) {
            statements.add(new Statement(cypher, rows));
        }
    }

    /** What the batch leaves of one key. */
    private static final class Keyed {
        final Map<String, Object> endpoints;
        final boolean history;
        /** Any change was a delete: the graph's copy goes before the key's last state (if any) is written. */
        boolean deleted;
        /** The properties of the last state, merged over the upserts since the last delete; null when the last change deleted. */
        Map<String, Object> props;
        List<Object> parents;
        /** Temporal history (when {@code history}): when the version open before the batch closes, and each version the batch makes. */
        OffsetDateTime firstChange;
        final List<Map<String, Object>> versions = new ArrayList<>();

        Keyed(Map<String, Object> endpoints, boolean history) {
            this.endpoints = endpoints;
            this.history = history;
        }

        void apply(PeerChange change, Map<String, Object> changeProps, List<Object> changeParents) {
            if (firstChange == null) {
                firstChange = change.commitTime();
            }
            if (history && !versions.isEmpty()) {
                versions.get(versions.size() - 1).put("validTo", change.commitTime());
            }
            if (change.delete()) {
                deleted = true;
                props = null;
                parents = null;
                return;
            }
            if (props == null) {
                props = new HashMap<>();
            }
            props.putAll(changeProps);
            if (changeParents != null) {
                if (parents == null) {
                    parents = new ArrayList<>(changeParents);
                } else {
                    for (int i = 0; i < changeParents.size(); i++) {
                        if (changeParents.get(i) != null) {
                            parents.set(i, changeParents.get(i));
                        }
                    }
                }
            }
            if (history) {
                Map<String, Object> version = new HashMap<>(changeProps);
                version.put("validFrom", change.commitTime());
                version.put("validTo", FOREVER);
                versions.add(version);
            }
        }
    }

    private static Map<String, Object> nodeProps(NodeMapping n, Map<String, Object> values, String id) {
        Map<String, Object> props = new HashMap<>();
        values.forEach((column, value) -> {
            if (n.isPropertyColumn(column)) {
                props.put(n.propertyName(column), value);
            }
        });
        props.put(NodeMapping.PG_ID_PROPERTY, id);
        return props;
    }

    /** Each link's parent identity, null where the change lacks its columns (the parent then stays as it was). */
    private static List<Object> parents(NodeMapping n, Map<String, Object> values) {
        List<Object> parents = new ArrayList<>(n.parentLinks().size());
        for (ParentLink link : n.parentLinks()) {
            parents.add(link.columns().stream().allMatch(values::containsKey) ? link.parentIdentity(values) : null);
        }
        return parents;
    }

    private static Map<String, Object> relationshipProps(RelationshipMapping m, Map<String, Object> values) {
        Map<String, Object> props = new HashMap<>();
        values.forEach((column, value) -> {
            if (m.isPropertyColumn(column)) {
                props.put(m.propertyName(column), value);
            }
        });
        return props;
    }

    private RelationshipMapping relationship(TableId table) {
        return mapping.relationship(table).orElseThrow(() -> new IllegalStateException("a change on unmapped table " + table));
    }

    private static String quote(String name) {
        if (!PropertyNames.isIdentifier(name)) {
            throw new IllegalArgumentException("not a plain identifier: " + name);
        }
        return "`" + name + "`";
    }
}
