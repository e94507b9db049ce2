package io.nexussync.bench;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.verify.CanonicalValue;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.snapshot.ChunkReader;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Value;

/**
 * The comparison a user writes without nexus-sync's verify: per mapped table, every row read into a map by key and
 * every node (or relationship) of its label (or type) read into another, then the two compared entity by entity. The
 * rules are the product's (rows converted as the stream converts them, {@link GraphPlanner}'s properties,
 * {@link CanonicalValue} for equality), so it checks what verify checks, cross-references and foreign-key links
 * included, but it neither orders, nor hashes, nor streams: memory holds both sides of the largest table at once.
 * Generous to it: one table at a time (a really naive one loads everything first).
 */
final class NaiveComparison {
    private static final ZonedDateTime OPEN_END = ZonedDateTime.parse("9999-12-31T00:00:00Z");
    private static final int FETCH = 10_000;

    /** @param examples a few differences in words, for the report when there should be none */
    record Outcome(long differences, List<String> examples) {}

    private final Mapping mapping;
    private final PgConnectionSource connections;
    private final Driver driver;
    private long differences;
    private final List<String> examples = new ArrayList<>();

    NaiveComparison(Mapping mapping, PgConnectionSource connections, Driver driver) {
        this.mapping = mapping;
        this.connections = connections;
        this.driver = driver;
    }

    Outcome run() throws Exception {
        for (NodeMapping node : mapping.nodes()) {
            compareNodes(node);
        }
        for (RelationshipMapping relationship : mapping.relationships()) {
            compareRelationships(relationship);
        }
        return new Outcome(differences, List.copyOf(examples));
    }

    private void compareNodes(NodeMapping node) throws Exception {
        Map<String, Map<String, Object>> expected = new HashMap<>();
        for (Map<String, Object> row : rows(node.table(), node.keyColumns())) {
            Map<String, Object> want = new HashMap<>(GraphPlanner.nodeProperties(node, row));
            if (node.crossReferenceColumn() != null) {
                want.put("\u0000xref", row.get(node.crossReferenceColumn()));
            }
            for (int i = 0; i < node.parentLinks().size(); i++) {
                String parent = node.parentLinks().get(i).parentIdentity(row);
                want.put("\u0000link" + i, parent == null ? null : List.of(parent));
            }
            expected.put(node.identity(row), want);
        }
        StringBuilder links = new StringBuilder();
        for (int i = 0; i < node.parentLinks().size(); i++) {
            ParentLink link = node.parentLinks().get(i);
            String arrow = link.parentToChild() ? "(n)<-[:`" + link.type() + "`]-(p:`" + link.parentLabel() + "`)"
                    : "(n)-[:`" + link.type() + "`]->(p:`" + link.parentLabel() + "`)";
            links.append(", [").append(arrow).append(" | p.`").append(link.parentIdProperty()).append("`] AS link").append(i);
        }
        Map<String, Map<String, Object>> actual = new HashMap<>();
        try (Session session = driver.session()) {
            session.executeRead(tx -> forEach(tx.run("MATCH (n:`" + node.label() + "`) RETURN n.`" + node.idProperty()
                    + "` AS id, elementId(n) AS elementId, properties(n) AS properties" + links), r -> {
                        Map<String, Object> have = new HashMap<>(r.get("properties").asMap(NaiveComparison::plain));
                        have.keySet().removeAll(node.graphOnlyProperties());
                        have.remove("lastSyncedAt");
                        if (node.crossReferenceColumn() != null) {
                            have.put("\u0000xref", r.get("elementId").asString());
                        }
                        for (int i = 0; i < node.parentLinks().size(); i++) {
                            List<Object> parents = r.get("link" + i).asList(Value::asObject);
                            have.put("\u0000link" + i, parents.isEmpty() ? null : parents);
                        }
                        actual.put(r.get("id").isNull() ? "<no id> " + r.get("elementId").asString() : r.get("id").asString(), have);
                    }));
        }
        compare(node.table(), expected, actual);
    }

    private void compareRelationships(RelationshipMapping relationship) throws Exception {
        Map<String, Map<String, Object>> expected = new HashMap<>();
        for (Map<String, Object> row : rows(relationship.table(), relationship.keyColumns())) {
            expected.put(relationship.from().identity(row) + " -> " + relationship.to().identity(row),
                    new HashMap<>(GraphPlanner.relationshipProperties(relationship, row)));
        }
        Map<String, Map<String, Object>> actual = new HashMap<>();
        Set<String> duplicated = new HashSet<>();
        try (Session session = driver.session()) {
            session.executeRead(tx -> forEach(tx.run("MATCH (a:`" + relationship.from().label() + "`)-[r:`" + relationship.type() + "`]->(b:`"
                    + relationship.to().label() + "`) RETURN a.`" + relationship.from().idProperty() + "` AS fromId, b.`"
                    + relationship.to().idProperty() + "` AS toId, properties(r) AS properties"), (Record r) -> {
                        Map<String, Object> have = new HashMap<>(r.get("properties").asMap(NaiveComparison::plain));
                        if (relationship.temporal()) {
                            // The current version is the one to compare; closed ones are history.
                            if (!(have.get("validTo") instanceof ZonedDateTime to) || !to.toInstant().equals(OPEN_END.toInstant())) {
                                return;
                            }
                            have.remove("validFrom");
                            have.remove("validTo");
                        }
                        String key = r.get("fromId").asString() + " -> " + r.get("toId").asString();
                        if (actual.put(key, have) != null) {
                            duplicated.add(key);
                        }
                    }));
        }
        for (String key : duplicated) {
            differ(relationship.table(), key, "there more than once");
        }
        compare(relationship.table(), expected, actual);
    }

    /** Every row of the table, converted as the stream converts it, in whatever order PostgreSQL returns them. */
    private List<Map<String, Object>> rows(TableId table, List<String> keyColumns) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            TableLayout layout = TableLayout.read(c, table, keyColumns);
            String select = "SELECT " + layout.columns().keySet().stream().map(column -> quote(column) + "::text").collect(Collectors.joining(", "))
                    + " FROM " + quote(table);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(FETCH);
                try (ResultSet rs = st.executeQuery(select)) {
                    while (rs.next()) {
                        Map<String, String> text = new LinkedHashMap<>();
                        int index = 1;
                        for (String column : layout.columns().keySet()) {
                            text.put(column, rs.getString(index++));
                        }
                        rows.add(ChunkReader.convert(layout, text, keyColumns.stream().map(text::get).toList()));
                    }
                }
            }
            c.rollback();
        }
        return rows;
    }

    private void compare(TableId table, Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual) {
        for (var want : expected.entrySet()) {
            Map<String, Object> have = actual.get(want.getKey());
            if (have == null) {
                differ(table, want.getKey(), "missing in the graph");
            } else if (!same(want.getValue(), have)) {
                differ(table, want.getKey(), "differs: " + want.getValue() + " / " + have);
            }
        }
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key)) {
                differ(table, key, "in the graph only");
            }
        }
    }

    private static boolean same(Map<String, Object> want, Map<String, Object> have) {
        Set<String> names = new HashSet<>(want.keySet());
        names.addAll(have.keySet());
        for (String name : names) {
            String a = CanonicalValue.of(want.get(name));
            String b = CanonicalValue.of(have.get(name));
            if (a == null ? b != null : !a.equals(b)) {
                return false;
            }
        }
        return true;
    }

    private void differ(TableId table, String key, String what) {
        differences++;
        if (examples.size() < 5) {
            examples.add(table + " " + key + " " + what);
        }
    }

    private static Void forEach(org.neo4j.driver.Result result, java.util.function.Consumer<Record> each) {
        result.forEachRemaining(each);
        return null;
    }

    private static Object plain(Value value) {
        Object object = value.asObject();
        return object instanceof List<?> || object instanceof java.time.temporal.Temporal || object instanceof String || object instanceof Long
                || object instanceof Double || object instanceof Boolean || object == null || object instanceof byte[] ? object : object.toString();
    }
}
