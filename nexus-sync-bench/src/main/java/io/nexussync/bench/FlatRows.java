package io.nexussync.bench;

import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.PropertyNames;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns decoded row changes into the flat rows a hand-written loader would send, each with the one
 * Cypher statement that writes it. Deliberately the least work that lands the rows' data: no version
 * guards, no checkpoint, no temporal history, no parent-link relationships, no cross-references, so
 * the reference is an upper bound on what Neo4j takes from one client.
 */
final class FlatRows {
    /** One row change as a loader sees it; changes with the same statement can share an UNWIND. */
    record FlatChange(String cypher, Map<String, Object> row) {}

    private final Mapping mapping;
    private final Map<TableId, String[]> statements = new HashMap<>();

    FlatRows(Mapping mapping) {
        this.mapping = mapping;
        for (NodeMapping n : mapping.nodes()) {
            String label = quote(n.label());
            statements.put(n.table(), new String[] {
                    "UNWIND $rows AS r MERGE (n:" + label + " {id: r.id}) SET n += r.props",
                    "UNWIND $rows AS r MATCH (n:" + label + " {id: r.id}) DETACH DELETE n"});
        }
        for (RelationshipMapping m : mapping.relationships()) {
            String from = quote(m.from().label());
            String to = quote(m.to().label());
            String type = quote(m.type());
            statements.put(m.table(), new String[] {
                    "UNWIND $rows AS r MERGE (a:" + from + " {id: r.from}) MERGE (b:" + to + " {id: r.to}) "
                            + "MERGE (a)-[x:" + type + "]->(b) SET x += r.props",
                    "UNWIND $rows AS r MATCH (a:" + from + " {id: r.from})-[x:" + type + "]->(b:" + to + " {id: r.to}) DELETE x"});
        }
    }

    List<FlatChange> flatten(List<RowChange> changes) {
        List<FlatChange> flat = new ArrayList<>(changes.size());
        for (RowChange change : changes) {
            if (change instanceof RowChange.Insert i) {
                flat.add(upsert(i.table(), i.newValues()));
            } else if (change instanceof RowChange.Update u) {
                flat.add(upsert(u.table(), u.newValues()));
            } else if (change instanceof RowChange.Delete d) {
                flat.add(delete(d.table(), d.oldKey()));
            } else {
                throw new IllegalStateException("the workload does not truncate, yet the WAL holds " + change);
            }
        }
        return flat;
    }

    private FlatChange upsert(TableId table, Map<String, Object> values) {
        var node = mapping.node(table);
        if (node.isPresent()) {
            NodeMapping n = node.get();
            Map<String, Object> props = new HashMap<>();
            values.forEach((column, value) -> {
                if (value != Unchanged.TOAST && n.isPropertyColumn(column)) {
                    props.put(n.propertyName(column), property(value));
                }
            });
            return new FlatChange(statements.get(table)[0], Map.of("id", n.identity(values), "props", props));
        }
        RelationshipMapping m = relationship(table);
        Map<String, Object> props = new HashMap<>();
        values.forEach((column, value) -> {
            if (value != Unchanged.TOAST && m.isPropertyColumn(column)) {
                props.put(m.propertyName(column), property(value));
            }
        });
        return new FlatChange(statements.get(table)[0],
                Map.of("from", m.from().identity(values), "to", m.to().identity(values), "props", props));
    }

    private FlatChange delete(TableId table, Map<String, Object> oldKey) {
        var node = mapping.node(table);
        if (node.isPresent()) {
            return new FlatChange(statements.get(table)[1], Map.of("id", node.get().identity(oldKey)));
        }
        RelationshipMapping m = relationship(table);
        return new FlatChange(statements.get(table)[1], Map.of("from", m.from().identity(oldKey), "to", m.to().identity(oldKey)));
    }

    private RelationshipMapping relationship(TableId table) {
        return mapping.relationship(table).orElseThrow(() -> new IllegalStateException("a change on unmapped table " + table));
    }

    /** As the product stores them: json as its canonical text, arrays element by element. */
    private static Object property(Object value) {
        if (value instanceof JsonText json) {
            return json.canonical();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(FlatRows::property).toList();
        }
        return value;
    }

    private static String quote(String name) {
        if (!PropertyNames.isIdentifier(name)) {
            throw new IllegalArgumentException("not a plain identifier: " + name);
        }
        return "`" + name + "`";
    }
}
