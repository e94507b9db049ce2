package io.nexussync.it.testkit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.neo4j.driver.Driver;

/**
 * The graph a user mapping should give, computed from the rows by the README's rules and compared with
 * the real graph, without any product class: the test describes the mapping again in {@link NodeSpec},
 * {@link LinkSpec} and {@link JoinSpec}. Rows are read as {@code to_jsonb(row)} (numbers exactly, as
 * BigDecimal). Reports missing, extra and duplicated nodes and relationships, differing properties and
 * cross-references that do not match the node's elementId.
 */
public final class MappedGraphEquality {
    /** Exact decimals: numeric 19.90 must stay 19.90 (the graph stores numeric as its exact text). */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final Set<String> WRITER_ONLY = Set.of("lastSyncedAt");

    /** A flattened json column: each key becomes property prefix + Key. */
    public record Flatten(String column, List<String> keys, String prefix) {}

    /**
     * @param excluded columns that are no property (pgOnly, the cross-reference, link columns that are not key columns)
     * @param renamed  column to property where not lowerCamelCase
     */
    public record NodeSpec(String table, String label, List<String> key, String idProperty, Set<String> excluded,
                           Map<String, String> renamed, List<Flatten> flatten, String crossReference) {}

    /** A link from a foreign key of {@code child}: (parent)-[type]->(child) when incoming, else (child)-[type]->(parent). */
    public record LinkSpec(String child, List<String> columns, String type, String parent, boolean incoming) {}

    public record JoinSpec(String table, String type, String from, List<String> fromColumns, String to, List<String> toColumns,
                           Map<String, String> renamed) {}

    private final Connection pg;
    private final Driver neo4j;
    private final Map<String, NodeSpec> byLabel = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    public MappedGraphEquality(Connection pg, Driver neo4j) {
        this.pg = pg;
        this.neo4j = neo4j;
    }

    public List<String> discrepancies(List<NodeSpec> nodes, List<LinkSpec> links, List<JoinSpec> joins) throws SQLException {
        nodes.forEach(n -> byLabel.put(n.label(), n));
        for (NodeSpec node : nodes) {
            compareNodes(node);
        }
        for (LinkSpec link : links) {
            compareLink(link);
        }
        for (JoinSpec join : joins) {
            compareJoin(join);
        }
        return problems;
    }

    /** The README's identity: one key column's text, or a JSON array of the key columns' texts. */
    static String identity(JsonNode row, List<String> columns) {
        if (columns.size() == 1) {
            JsonNode v = row.get(columns.get(0));
            return v == null || v.isNull() ? null : text(v);
        }
        ArrayNode array = JSON.createArrayNode();
        for (String column : columns) {
            JsonNode v = row.get(column);
            if (v == null || v.isNull()) {
                return null;
            }
            array.add(text(v));
        }
        return array.toString();
    }

    private static String text(JsonNode v) {
        return v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText();
    }

    private void compareNodes(NodeSpec spec) throws SQLException {
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : rows("SELECT to_jsonb(t) FROM " + spec.table() + " t")) {
            rows.put(identity(row, spec.key()), row);
        }
        Map<String, Map<String, Object>> nodes = new HashMap<>();
        Map<String, String> elementIds = new HashMap<>();
        int count = 0;
        try (var session = neo4j.session()) {
            for (var r : session.run("MATCH (n:`" + spec.label() + "`) RETURN n.`" + spec.idProperty() + "` AS id, properties(n) AS p, elementId(n) AS e").list()) {
                count++;
                nodes.put(r.get("id").asString(), r.get("p").asMap());
                elementIds.put(r.get("id").asString(), r.get("e").asString());
            }
        }
        if (count != nodes.size()) {
            problems.add(spec.label() + ": " + (count - nodes.size()) + " duplicate node(s) for one identity");
        }
        for (var entry : rows.entrySet()) {
            String id = entry.getKey();
            JsonNode row = entry.getValue();
            Map<String, Object> node = nodes.get(id);
            if (node == null) {
                problems.add(spec.label() + " " + id + ": missing in the graph");
                continue;
            }
            Map<String, JsonNode> expected = new HashMap<>();
            Set<String> flattenedColumns = new HashSet<>();
            for (Flatten f : spec.flatten()) {
                flattenedColumns.add(f.column());
                JsonNode document = row.get(f.column());
                for (String key : f.keys()) {
                    JsonNode value = document != null && document.isObject() ? document.get(key) : null;
                    if (value != null && !value.isNull()) {
                        expected.put(f.prefix() + Character.toUpperCase(camel(key).charAt(0)) + camel(key).substring(1), value);
                    }
                }
            }
            row.fields().forEachRemaining(field -> {
                String column = field.getKey();
                if (spec.excluded().contains(column) || flattenedColumns.contains(column) || field.getValue().isNull()) {
                    return;
                }
                String property = spec.renamed().getOrDefault(column, camel(column));
                if (spec.key().size() == 1 && spec.key().contains(column) && property.equals(spec.idProperty())) {
                    return;
                }
                expected.put(property, field.getValue());
            });
            expected.put(spec.idProperty(), JSON.getNodeFactory().textNode(id));
            expected.put("pgId", JSON.getNodeFactory().textNode(id));
            Set<String> actualKeys = new HashSet<>(node.keySet());
            actualKeys.removeAll(WRITER_ONLY);
            if (!actualKeys.equals(expected.keySet())) {
                problems.add(spec.label() + " " + id + ": properties " + new TreeSet<>(actualKeys) + " but expected " + new TreeSet<>(expected.keySet()));
            }
            expected.forEach((property, value) -> {
                Object actual = node.get(property);
                if (actual != null && !sameValue(value, actual)) {
                    problems.add(spec.label() + " " + id + "." + property + ": graph has " + actual + " (" + actual.getClass().getSimpleName()
                            + "), database has " + value);
                }
            });
            if (spec.crossReference() != null) {
                JsonNode xref = row.get(spec.crossReference());
                if (xref == null || xref.isNull() || !xref.asText().equals(elementIds.get(id))) {
                    problems.add(spec.table() + " " + id + ": " + spec.crossReference() + " is " + xref + " but the node's elementId is " + elementIds.get(id));
                }
            }
        }
        for (String id : nodes.keySet()) {
            if (!rows.containsKey(id)) {
                problems.add(spec.label() + " " + id + ": in the graph but not in the database");
            }
        }
    }

    private void compareLink(LinkSpec link) throws SQLException {
        NodeSpec child = byLabel.get(link.child());
        NodeSpec parent = byLabel.get(link.parent());
        Set<String> expected = new HashSet<>();
        for (JsonNode row : rows("SELECT to_jsonb(t) FROM " + child.table() + " t")) {
            String parentId = identity(row, link.columns());
            if (parentId != null) {
                String childId = identity(row, child.key());
                expected.add(link.incoming() ? parentId + "->" + childId : childId + "->" + parentId);
            }
        }
        NodeSpec from = link.incoming() ? parent : child;
        NodeSpec to = link.incoming() ? child : parent;
        compareSets(link.type(), expected, pairs("MATCH (a:`" + from.label() + "`)-[:`" + link.type() + "`]->(b:`" + to.label() + "`) RETURN a.`"
                + from.idProperty() + "` + '->' + b.`" + to.idProperty() + "` AS k", null));
        List<String> all = new ArrayList<>();
        try (var session = neo4j.session()) {
            session.run("MATCH ()-[r:`" + link.type() + "`]->() RETURN count(r) AS n").forEachRemaining(r -> all.add(String.valueOf(r.get("n").asLong())));
        }
        if (!all.get(0).equals(String.valueOf(expected.size()))) {
            problems.add(link.type() + ": " + all.get(0) + " relationships of that type in the graph, expected " + expected.size());
        }
    }

    private void compareJoin(JoinSpec join) throws SQLException {
        NodeSpec from = byLabel.get(join.from());
        NodeSpec to = byLabel.get(join.to());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : rows("SELECT to_jsonb(t) FROM " + join.table() + " t")) {
            rows.put(identity(row, join.fromColumns()) + "->" + identity(row, join.toColumns()), row);
        }
        Map<String, Map<String, Object>> properties = new HashMap<>();
        List<String> keys = pairs("MATCH (a:`" + from.label() + "`)-[r:`" + join.type() + "`]->(b:`" + to.label() + "`) RETURN a.`" + from.idProperty()
                + "` + '->' + b.`" + to.idProperty() + "` AS k, properties(r) AS p", properties);
        compareSets(join.type(), rows.keySet(), keys);
        Set<String> endpointColumns = new HashSet<>(join.fromColumns());
        endpointColumns.addAll(join.toColumns());
        rows.forEach((k, row) -> {
            Map<String, Object> actual = properties.get(k);
            if (actual == null) {
                return;
            }
            Map<String, JsonNode> expected = new HashMap<>();
            row.fields().forEachRemaining(f -> {
                if (!endpointColumns.contains(f.getKey()) && !f.getValue().isNull()) {
                    expected.put(join.renamed().getOrDefault(f.getKey(), camel(f.getKey())), f.getValue());
                }
            });
            if (!actual.keySet().equals(expected.keySet())) {
                problems.add(join.type() + " " + k + ": properties " + new TreeSet<>(actual.keySet()) + " but expected " + new TreeSet<>(expected.keySet()));
            }
            expected.forEach((p, v) -> {
                if (actual.get(p) != null && !sameValue(v, actual.get(p))) {
                    problems.add(join.type() + " " + k + "." + p + ": graph has " + actual.get(p) + ", database has " + v);
                }
            });
        });
    }

    private List<String> pairs(String cypher, Map<String, Map<String, Object>> properties) {
        List<String> keys = new ArrayList<>();
        try (var session = neo4j.session()) {
            session.run(cypher).forEachRemaining(r -> {
                keys.add(r.get("k").asString());
                if (properties != null) {
                    properties.put(r.get("k").asString(), r.get("p").asMap());
                }
            });
        }
        return keys;
    }

    private void compareSets(String what, Set<String> expected, List<String> actual) {
        KeySets.compare(problems, what, expected, actual);
    }

    private List<JsonNode> rows(String sql) throws SQLException {
        List<JsonNode> rows = new ArrayList<>();
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                try {
                    rows.add(JSON.readTree(rs.getString(1)));
                } catch (java.io.IOException e) {
                    throw new SQLException(e);
                }
            }
        }
        return rows;
    }

    static boolean sameValue(JsonNode expected, Object actual) {
        if (actual instanceof ZonedDateTime z) {
            return OffsetDateTime.parse(expected.asText()).toInstant().equals(z.toInstant());
        }
        if (actual instanceof LocalDate d) {
            return expected.isTextual() && expected.asText().equals(d.toString());
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
                    return JSON.readTree(s).equals(expected);
                } catch (java.io.IOException e) {
                    return false;
                }
            }
            if (expected.isNumber()) {
                // numeric is stored as its exact decimal text
                return expected.decimalValue().toPlainString().equals(s);
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

    static String camel(String column) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = out.length() > 0;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
