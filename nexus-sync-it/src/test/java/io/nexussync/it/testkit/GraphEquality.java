package io.nexussync.it.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.driver.Driver;

/**
 * Compares the whole graph with the ContextNexus contract's mapping of the whole database, written
 * independently of the product's planner: rows are read as {@code to_jsonb(row)} and turned into the
 * expected nodes and relationships by the rules of shared/contract/. Any difference is reported:
 * missing or extra nodes, differing properties, missing, extra or duplicated relationships, temporal
 * versions applied twice, a history that breaks the contract's rules ({@link TemporalHistory}), and
 * cross-references that do not match.
 */
public final class GraphEquality {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPEN_END = "9999-12-31T00:00Z";

    private record NodeTable(String table, String label, Set<String> pgOnly, Set<String> notProperties) {}

    private static final List<NodeTable> NODE_TABLES = List.of(
            new NodeTable("content_items", "ContentItem", Set.of("body", "created_by"), Set.of("neo4j_node_id")),
            new NodeTable("threads", "Thread", Set.of("created_by"), Set.of("neo4j_node_id")),
            new NodeTable("messages", "Message", Set.of("body"), Set.of("neo4j_node_id", "thread_id")),
            new NodeTable("tags", "Tag", Set.of(), Set.of("neo4j_node_id")));
    private static final Set<String> GRAPH_ONLY = Set.of("relevanceWeight", "centrality", "lastSyncedAt");

    private final Connection pg;
    private final Driver neo4j;
    private final List<String> problems = new ArrayList<>();

    /** Labels whose table keeps tombstones ({@code tombstones: true}); the contract's mapping keeps none. */
    private final Set<String> tombstoneLabels;

    public GraphEquality(Connection pg, Driver neo4j) {
        this(pg, neo4j, Set.of());
    }

    /** Whether the rows' {@code neo4j_node_id} must be this graph's elementIds (a second graph fed from the same rows writes none). */
    private final boolean crossReferences;
    /** The audit's last change before this graph's snapshot (0: the snapshot came before every change); see {@link TemporalHistory}. */
    private final long snapshotThroughSeq;

    public GraphEquality(Connection pg, Driver neo4j, Set<String> tombstoneLabels) {
        this(pg, neo4j, tombstoneLabels, true, 0);
    }

    private GraphEquality(Connection pg, Driver neo4j, Set<String> tombstoneLabels, boolean crossReferences, long snapshotThroughSeq) {
        this.pg = pg;
        this.neo4j = neo4j;
        this.tombstoneLabels = tombstoneLabels;
        this.crossReferences = crossReferences;
        this.snapshotThroughSeq = snapshotThroughSeq;
    }

    /**
     * A second graph fed from the same database: the rows' cross-references are the first graph's (not compared), and its
     * initial snapshot was taken while the database was quiet, right after the audit's change {@code snapshotThroughSeq}.
     */
    public static GraphEquality secondGraph(Connection pg, Driver neo4j, long snapshotThroughSeq) {
        return new GraphEquality(pg, neo4j, Set.of(), false, snapshotThroughSeq);
    }

    public List<String> discrepancies() throws SQLException {
        for (NodeTable table : NODE_TABLES) {
            compareNodes(table);
        }
        compareHasMessage();
        compareTaggedWith();
        compareIncludes();
        return problems;
    }

    private void compareNodes(NodeTable table) throws SQLException {
        Map<String, JsonNode> rows = rows("SELECT to_jsonb(t) FROM " + table.table() + " t", "id");
        Map<String, Map<String, Object>> nodes = new HashMap<>();
        Map<String, String> elementIds = new HashMap<>();
        int nodeCount = 0;
        try (var session = neo4j.session()) {
            for (var r : session.run("MATCH (n:" + table.label() + ") RETURN n.id AS id, properties(n) AS p, elementId(n) AS e, n:Deleted AS tombstone").list()) {
                if (r.get("tombstone").asBoolean()) {
                    checkTombstone(table, r.get("id").asString(), r.get("p").asMap(), rows.containsKey(r.get("id").asString()));
                    continue;
                }
                nodeCount++;
                nodes.put(r.get("id").asString(), r.get("p").asMap());
                elementIds.put(r.get("id").asString(), r.get("e").asString());
            }
        }
        if (nodeCount != nodes.size()) {
            problems.add(table.label() + ": " + (nodeCount - nodes.size()) + " duplicate node(s) for the same id");
        }
        for (var row : rows.entrySet()) {
            Map<String, Object> node = nodes.get(row.getKey());
            if (node == null) {
                problems.add(table.label() + " " + row.getKey() + ": missing in the graph");
                continue;
            }
            Map<String, JsonNode> expected = new HashMap<>();
            row.getValue().fields().forEachRemaining(f -> {
                if (!table.pgOnly().contains(f.getKey()) && !table.notProperties().contains(f.getKey()) && !f.getValue().isNull()) {
                    expected.put(camel(f.getKey()), f.getValue());
                }
            });
            expected.put("pgId", JSON.getNodeFactory().textNode(row.getKey()));
            Set<String> actualKeys = new HashSet<>(node.keySet());
            actualKeys.removeAll(GRAPH_ONLY);
            if (!actualKeys.equals(expected.keySet())) {
                problems.add(table.label() + " " + row.getKey() + ": properties " + new java.util.TreeSet<>(actualKeys) + " but expected " + new java.util.TreeSet<>(expected.keySet()));
            }
            for (var e : expected.entrySet()) {
                Object actual = node.get(e.getKey());
                if (actual != null && !sameValue(e.getValue(), actual)) {
                    problems.add(table.label() + " " + row.getKey() + "." + e.getKey() + ": graph has " + actual + ", database has " + e.getValue());
                }
            }
            JsonNode xref = row.getValue().get("neo4j_node_id");
            if (crossReferences && (xref == null || xref.isNull() || !xref.asText().equals(elementIds.get(row.getKey())))) {
                problems.add(table.table() + " " + row.getKey() + ": neo4j_node_id is " + xref + " but the node's elementId is " + elementIds.get(row.getKey()));
            }
        }
        for (String id : nodes.keySet()) {
            if (!rows.containsKey(id)) {
                // Its properties say whether it is a placeholder (id and pgId only) or a row's node that a delete missed.
                problems.add(table.label() + " " + id + ": in the graph but not in the database (properties "
                        + new java.util.TreeSet<>(nodes.get(id).keySet()) + ")");
            }
        }
    }

    /**
     * A tombstone (the README's rule for {@code tombstones: true}): only of a table that keeps them, only while its row is
     * gone, with its deletion time, and with nothing current: no relationship but closed versions of a temporal type.
     */
    private void checkTombstone(NodeTable table, String id, Map<String, Object> properties, boolean rowExists) {
        String what = table.label() + " " + id + " (a tombstone)";
        if (!tombstoneLabels.contains(table.label())) {
            problems.add(what + ": " + table.table() + " keeps no tombstones, so its deleted rows leave no node");
            return;
        }
        if (rowExists) {
            problems.add(what + ": its row exists, so the node should be live again");
        }
        if (!(properties.get("deletedAt") instanceof ZonedDateTime)) {
            problems.add(what + ": deletedAt is " + properties.get("deletedAt") + ", not the delete's time");
        }
        try (var session = neo4j.session()) {
            for (var r : session.run("MATCH (n:" + table.label() + " {id: $id})-[r]-() WHERE NOT (type(r) = 'INCLUDES' AND r.validTo < datetime('9999-12-31T00:00:00Z')) "
                    + "RETURN type(r) AS type, r.validTo AS validTo", Map.of("id", id)).list()) {
                problems.add(what + ": keeps a current " + r.get("type").asString() + " relationship (validTo " + r.get("validTo") + ")");
            }
        }
    }

    private void compareHasMessage() throws SQLException {
        Set<String> expected = new HashSet<>();
        for (JsonNode row : rows("SELECT to_jsonb(t) FROM messages t", "id").values()) {
            expected.add(row.get("thread_id").asText() + "->" + row.get("id").asText());
        }
        List<String> actual = new ArrayList<>();
        try (var session = neo4j.session()) {
            session.run("MATCH (t)-[:HAS_MESSAGE]->(m) RETURN t.id + '->' + m.id AS k").forEachRemaining(r -> actual.add(r.get("k").asString()));
        }
        compareSets("HAS_MESSAGE", expected, actual);
    }

    private void compareTaggedWith() throws SQLException {
        Map<String, JsonNode> rows = rows("SELECT to_jsonb(t) || jsonb_build_object('k', content_id || '->' || tag_id) FROM content_tags t", "k");
        Map<String, Map<String, Object>> rels = new HashMap<>();
        List<String> keys = new ArrayList<>();
        try (var session = neo4j.session()) {
            session.run("MATCH (c:ContentItem)-[r:TAGGED_WITH]->(t:Tag) RETURN c.id + '->' + t.id AS k, properties(r) AS p").forEachRemaining(r -> {
                keys.add(r.get("k").asString());
                rels.put(r.get("k").asString(), r.get("p").asMap());
            });
        }
        compareSets("TAGGED_WITH", rows.keySet(), keys);
        rows.forEach((k, row) -> compareRelationshipProperties("TAGGED_WITH " + k, rels.get(k),
                Map.of("weight", row.get("weight"), "createdAt", row.get("created_at"), "pgVersion", row.get("pg_version"))));
    }

    private void compareIncludes() throws SQLException {
        Map<String, JsonNode> rows = rows("SELECT to_jsonb(t) || jsonb_build_object('k', thread_id || '->' || content_id) FROM thread_content t", "k");
        Map<String, Map<String, Object>> current = new HashMap<>();
        List<String> currentKeys = new ArrayList<>();
        Set<String> versions = new HashSet<>();
        try (var session = neo4j.session()) {
            for (var r : session.run("MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) RETURN t.id + '->' + c.id AS k, properties(r) AS p").list()) {
                String k = r.get("k").asString();
                Map<String, Object> p = r.get("p").asMap();
                if (!versions.add(k + "@" + p.get("version") + "@" + p.get("validFrom"))) {
                    problems.add("INCLUDES " + k + ": version " + p.get("version") + " from " + p.get("validFrom") + " exists twice (a change applied twice)");
                }
                if (p.get("validTo") instanceof ZonedDateTime to && to.toOffsetDateTime().toString().equals(OPEN_END)) {
                    currentKeys.add(k);
                    current.put(k, p);
                }
            }
        }
        compareSets("INCLUDES (current)", rows.keySet(), currentKeys);
        TemporalHistory.check(pg, neo4j, problems, tombstoneLabels, snapshotThroughSeq);
        rows.forEach((k, row) -> compareRelationshipProperties("INCLUDES " + k, current.get(k),
                Map.of("relevanceScore", row.get("relevance_score"), "position", row.get("position"), "addedAt", row.get("added_at"), "version", row.get("pg_version"))));
    }

    private void compareRelationshipProperties(String what, Map<String, Object> actual, Map<String, JsonNode> expected) {
        if (actual == null) {
            return;
        }
        expected.forEach((name, value) -> {
            if (!sameValue(value, actual.get(name))) {
                problems.add(what + "." + name + ": graph has " + actual.get(name) + ", database has " + value);
            }
        });
    }

    private void compareSets(String what, Set<String> expected, List<String> actual) {
        KeySets.compare(problems, what, expected, actual);
    }

    private Map<String, JsonNode> rows(String sql, String keyField) throws SQLException {
        Map<String, JsonNode> rows = new HashMap<>();
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                try {
                    JsonNode row = JSON.readTree(rs.getString(1));
                    rows.put(row.get(keyField).asText(), row);
                } catch (java.io.IOException e) {
                    throw new SQLException(e);
                }
            }
        }
        return rows;
    }

    /** The database value (as to_jsonb renders it) and the graph value mean the same thing. */
    static boolean sameValue(JsonNode expected, Object actual) {
        if (expected == null || expected.isNull()) {
            return actual == null;
        }
        if (actual == null) {
            return false;
        }
        if (actual instanceof ZonedDateTime z) {
            return OffsetDateTime.parse(expected.asText()).toInstant().equals(z.toInstant());
        }
        if (actual instanceof Long l) {
            return expected.isIntegralNumber() && expected.asLong() == l;
        }
        if (actual instanceof Double d) {
            return expected.isNumber() && Double.compare(expected.asDouble(), d) == 0;
        }
        if (actual instanceof Boolean b) {
            return expected.isBoolean() && expected.asBoolean() == b;
        }
        if (actual instanceof String s) {
            if (expected.isObject() || expected.isArray()) {
                try {
                    return JSON.readTree(s).equals(expected) && isSorted(s);
                } catch (java.io.IOException e) {
                    return false;
                }
            }
            return expected.isTextual() && expected.asText().equals(s);
        }
        if (actual instanceof List<?> list) {
            if (!expected.isArray() || expected.size() != list.size()) {
                return false;
            }
            Iterator<JsonNode> it = expected.elements();
            for (Object element : list) {
                if (!sameValue(it.next(), element)) {
                    return false;
                }
            }
            return true;
        }
        return expected.asText().equals(String.valueOf(actual));
    }

    /** The contract stores jsonb canonically: object keys sorted. */
    private static boolean isSorted(String json) throws java.io.IOException {
        JsonNode node = JSON.readTree(json);
        return JSON.writeValueAsString(sortedCopy(node)).equals(JSON.writeValueAsString(node));
    }

    private static JsonNode sortedCopy(JsonNode node) {
        if (node.isObject()) {
            var sorted = JSON.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            names.forEach(n -> sorted.set(n, sortedCopy(node.get(n))));
            return sorted;
        }
        if (node.isArray()) {
            var array = JSON.createArrayNode();
            node.forEach(e -> array.add(sortedCopy(e)));
            return array;
        }
        return node;
    }

    private static String camel(String column) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

}
