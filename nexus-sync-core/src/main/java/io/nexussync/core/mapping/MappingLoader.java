package io.nexussync.core.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.YamlTree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a mapping from YAML and validates what can be validated without the database, reporting every
 * problem at once, each with its line. Names that reach Cypher (labels, types, property names) must be
 * plain identifiers; table and column names reach SQL only quoted. Checks against the live catalog
 * (columns exist, types, unique keys) are the postgres module's {@code MappingCheck}.
 */
public final class MappingLoader {
    public static final String BUILT_IN = "contextnexus";

    private static final Pattern TABLE_PART = Pattern.compile("[a-z_][a-z0-9_$]*");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Set<String> TOP_KEYS = Set.of("name", "nodes", "relationships");
    private static final Set<String> NODE_KEYS = Set.of("table", "label", "key", "idProperty", "version", "graphVersion", "crossReference",
            "pgOnly", "graphOnly", "asText", "properties", "json", "insertLane", "lanes", "links", "reverse", "tombstones");
    private static final Set<String> LINK_KEYS = Set.of("column", "columns", "type", "label", "direction");
    private static final Set<String> RELATIONSHIP_KEYS = Set.of("table", "type", "from", "to", "version", "versionProperty", "temporal",
            "pgOnly", "asText", "properties", "json", "insertLane", "lanes", "reverse");
    private static final Set<String> REVERSE_KEYS = Set.of("enabled", "toGraphOnly", "conflicts", "create", "onDelete");
    private static final Set<String> ENDPOINT_KEYS = Set.of("label", "column", "columns");
    private static final Set<String> JSON_KEYS = Set.of("store", "keys", "prefix");
    /** Properties the writer sets on every node besides the mapped columns. */
    private static final Set<String> WRITER_PROPERTIES = Set.of(NodeMapping.PG_ID_PROPERTY, "lastSyncedAt");

    private MappingLoader() {}

    public static Mapping builtIn() {
        try (InputStream in = MappingLoader.class.getResourceAsStream("contextnexus.yaml")) {
            return parse(in, "built-in " + BUILT_IN);
        } catch (IOException e) {
            throw new IllegalStateException("the built-in mapping cannot be read", e);
        }
    }

    /** Reads and validates; throws {@link MappingException} with every problem. */
    public static Mapping load(Path file) {
        return read(file).orThrow();
    }

    /** Reads and validates without throwing: the document holds the problems. */
    public static MappingDocument read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            return new MappingDocument(file.toString(), null, List.of(new MappingProblem(0, "cannot read the file: " + e.getMessage())), Map.of());
        }
    }

    public static Mapping parse(InputStream in, String source) {
        return read(in, source).orThrow();
    }

    public static MappingDocument read(InputStream in, String source) {
        List<MappingProblem> problems = new ArrayList<>();
        Node root;
        try {
            root = YamlTree.read(in, problems);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            return new MappingDocument(source, null, List.of(new MappingProblem(line, "not valid YAML: " + e.getOriginalMessage())), Map.of());
        } catch (IOException e) {
            return new MappingDocument(source, null, List.of(new MappingProblem(0, "cannot read: " + e.getMessage())), Map.of());
        }
        Binder binder = new Binder(problems);
        Mapping mapping = binder.mapping(root, source);
        List<MappingProblem> sorted = new ArrayList<>(problems);
        sorted.sort(null);
        return new MappingDocument(source, mapping, List.copyOf(sorted), Map.copyOf(binder.lines));
    }

    /** Binds the tree to the mapping model, noting each problem with its line and carrying on. */
    private static final class Binder {
        private final List<MappingProblem> problems;
        private final Map<String, Integer> lines = new HashMap<>();

        /** What links and relationship endpoints need to know of a node table. */
        private record Target(int keySize, String idProperty) {}

        private final Map<String, Target> targets = new HashMap<>();
        private final Map<TableId, ReverseRules> reverse = new LinkedHashMap<>();

        Binder(List<MappingProblem> problems) {
            this.problems = problems;
        }

        Mapping mapping(Node root, String source) {
            if (!root.isMap()) {
                problem(root.line(), "the file must be a map with 'nodes' (and 'relationships'), got " + root.describe());
                return new Mapping(source, List.of(), List.of());
            }
            allowOnly(root, "the mapping", TOP_KEYS);
            String name = scalar(root, "name", "the mapping");
            Set<String> tables = new HashSet<>();
            List<Node> nodeEntries = entries(root, "nodes");
            // First the labels, keys and identity properties, which links and relationships refer to.
            for (Node n : nodeEntries) {
                if (!n.isMap()) {
                    continue;
                }
                String label = scalarQuiet(n, "label");
                List<String> key = namesQuiet(n, "key");
                String idProperty = scalarQuiet(n, "idProperty");
                if (label != null && !targets.containsKey(label)) {
                    targets.put(label, new Target(key.size(), idProperty == null ? NodeMapping.DEFAULT_ID_PROPERTY : idProperty));
                } else if (label != null) {
                    problem(lineOf(n, "label"), "label " + label + " is mapped by two node tables: a node is found by label and key, so give each table its own label");
                }
            }
            List<NodeMapping> nodes = new ArrayList<>();
            for (Node n : nodeEntries) {
                NodeMapping node = node(n, tables);
                if (node != null) {
                    nodes.add(node);
                }
            }
            List<RelationshipMapping> relationships = new ArrayList<>();
            for (Node r : entries(root, "relationships")) {
                RelationshipMapping relationship = relationship(r, tables);
                if (relationship != null) {
                    relationships.add(relationship);
                }
            }
            if (nodeEntries.isEmpty() && problems.isEmpty()) {
                problem(root.line(), "no node tables: add at least one entry under 'nodes:'");
            }
            return new Mapping(name == null ? source : name, List.copyOf(nodes), List.copyOf(relationships), Map.copyOf(reverse));
        }

        private NodeMapping node(Node n, Set<String> tables) {
            if (!n.isMap()) {
                problem(n.line(), "each entry under 'nodes' must be a map with table, label and key, got " + n.describe());
                return null;
            }
            TableId table = table(n, "node table", tables);
            String where = "node table " + (table == null ? "(line " + n.line() + ")" : table);
            allowOnly(n, where, NODE_KEYS);
            String label = scalar(n, "label", where);
            requireName(label, n, "label", where + ": label");
            List<String> key = columns(n, "key", where, table);
            if (key.isEmpty()) {
                problem(lineOf(n, "key"), where + ": 'key' is missing: name the key column, or the columns of a composite key as a list");
            }
            if (new LinkedHashSet<>(key).size() != key.size()) {
                problem(lineOf(n, "key"), where + ": a key column is listed twice");
            }
            String idProperty = scalar(n, "idProperty", where);
            if (idProperty == null) {
                idProperty = NodeMapping.DEFAULT_ID_PROPERTY;
            } else {
                requireName(idProperty, n, "idProperty", where + ": idProperty");
            }
            String version = column(n, "version", where, table);
            String graphVersion = column(n, "graphVersion", where, table);
            String crossReference = column(n, "crossReference", where, table);
            if (graphVersion != null && version == null) {
                problem(lineOf(n, "graphVersion"), where + ": graphVersion needs a version column too (the pair is the version vector)");
            }
            Set<String> graphOnly = new LinkedHashSet<>(names(n, "graphOnly", where));
            for (String property : graphOnly) {
                requireName(property, n, "graphOnly", where + ": graphOnly property");
            }
            ColumnRules rules = columnRules(n, where, table);
            List<ParentLink> links = new ArrayList<>();
            for (Node l : entries(n, "links")) {
                ParentLink link = link(l, where, table);
                if (link != null) {
                    links.add(link);
                }
            }
            Boolean tombstones = bool(n, "tombstones", where);
            if (NodeMapping.TOMBSTONE_LABEL.equals(label)) {
                problem(lineOf(n, "label"), where + ": label " + label + " is the label nexus-sync gives tombstones (deleted rows kept for their history); choose another");
            }
            if (table == null || label == null) {
                return null;
            }
            NodeMapping node = new NodeMapping(table, label, List.copyOf(key), idProperty, version, graphVersion, crossReference,
                    Set.copyOf(graphOnly), rules, List.copyOf(links), tombstones != null && tombstones);
            reverseRules(n, where, table, ReverseRules.NODE_DEFAULT);
            checkNodeProperties(node, n, where);
            return node;
        }

        /** Property names this entry makes that would land on one property: only the names the file itself spells are known here. */
        private void checkNodeProperties(NodeMapping node, Node n, String where) {
            Map<String, String> owners = new LinkedHashMap<>();
            owners.put(node.idProperty(), "the identity property");
            for (String p : WRITER_PROPERTIES) {
                if (owners.putIfAbsent(p, "a property the sync service writes") != null) {
                    problem(lineOf(n, "idProperty"), where + ": idProperty " + p + " is a property the sync service writes itself; choose another name");
                }
            }
            if (node.tombstones() && owners.putIfAbsent(NodeMapping.DELETED_AT_PROPERTY, "the tombstone's deletion time") != null) {
                problem(lineOf(n, "idProperty"), where + ": idProperty " + NodeMapping.DELETED_AT_PROPERTY + " is what a tombstone holds its deletion time in; choose another name");
            }
            if (node.versionColumn() != null) {
                claim(owners, node.versionProperty(), "the version column " + node.versionColumn(), n, "version", where);
            }
            for (String column : new LinkedHashSet<>(node.keyColumns())) {
                if (node.isPropertyColumn(column)) {
                    claim(owners, node.propertyName(column), "key column " + column, n, "key", where);
                }
            }
            node.columns().propertyNames().forEach((column, property) -> {
                if (!node.keyColumns().contains(column) && !column.equals(node.versionColumn())) {
                    claim(owners, property, "column " + column, n, "properties", where);
                }
            });
            node.columns().json().values().forEach(rule -> {
                if (rule.flatten()) {
                    rule.keys().forEach(k -> claim(owners, rule.propertyName(k), "json key " + rule.column() + "." + k, n, "json", where));
                }
            });
            for (String property : node.graphOnlyProperties()) {
                claim(owners, property, "graphOnly", n, "graphOnly", where);
            }
        }

        private void claim(Map<String, String> owners, String property, String owner, Node n, String setting, String where) {
            String earlier = owners.putIfAbsent(property, owner);
            if (earlier != null) {
                problem(lineOf(n, setting), where + ": " + owner + " and " + earlier + " would both be property " + property
                        + ": rename one under 'properties'");
            }
        }

        /** The entry's {@code reverse:} map, if it has one: {enabled, toGraphOnly, conflicts: {default, column: rule}, create, onDelete}. */
        private void reverseRules(Node entry, String where, TableId table, ReverseRules defaults) {
            Node r = entry.map().get("reverse");
            if (r == null || r.isNull() || table == null) {
                return;
            }
            String here = where + " reverse";
            if (!r.isMap()) {
                problem(r.line(), here + " must be a map {enabled, toGraphOnly, conflicts, create, onDelete}, got " + r.describe());
                return;
            }
            allowOnly(r, here, REVERSE_KEYS);
            Boolean enabled = bool(r, "enabled", here);
            Boolean create = bool(r, "create", here);
            Set<String> toGraphOnly = new LinkedHashSet<>(columns(r, "toGraphOnly", here, table));
            ReverseRules.DeletePolicy onDelete = defaults.onDelete();
            String deleteText = scalar(r, "onDelete", here);
            if (deleteText != null) {
                onDelete = null;
                for (ReverseRules.DeletePolicy policy : ReverseRules.DeletePolicy.values()) {
                    if (policy.spelling().equals(deleteText)) {
                        onDelete = policy;
                    }
                }
                if (onDelete == null) {
                    problem(lineOf(r, "onDelete"), here + ": onDelete is '" + deleteText + "'; use refuse or delete");
                    onDelete = defaults.onDelete();
                }
            }
            ConflictRule defaultRule = defaults.defaultRule();
            Map<String, ConflictRule> columnRules = new LinkedHashMap<>();
            Node conflicts = r.map().get("conflicts");
            if (conflicts != null && !conflicts.isNull()) {
                if (!conflicts.isMap()) {
                    problem(conflicts.line(), here + ": conflicts must be a map {default: rule, column: rule}, got " + conflicts.describe());
                } else {
                    for (String column : conflicts.map().keySet()) {
                        String text = scalar(conflicts, column, here + " conflicts");
                        ConflictRule rule = text == null ? null : ConflictRule.parse(text).orElse(null);
                        if (rule == null) {
                            problem(lineOf(conflicts, column), here + ": conflict rule for " + column + " is '" + text + "'; use one of "
                                    + ConflictRule.spellings());
                        } else if (column.equals("default")) {
                            defaultRule = rule;
                        } else {
                            requireColumn(column, lineOf(conflicts, column), here + " conflicts");
                            note(table, column, lineOf(conflicts, column));
                            columnRules.put(column, rule);
                        }
                    }
                }
            }
            reverse.put(table, new ReverseRules(enabled == null || enabled, Set.copyOf(toGraphOnly), defaultRule, Map.copyOf(columnRules),
                    create == null ? defaults.create() : create, onDelete));
        }

        private ParentLink link(Node l, String where, TableId table) {
            if (!l.isMap()) {
                problem(l.line(), where + ": each link must be a map {column, type, label, direction}, got " + l.describe());
                return null;
            }
            allowOnly(l, where + " link", LINK_KEYS);
            List<String> columns = endpointColumns(l, where + " link", table);
            String type = scalar(l, "type", where + " link");
            requireName(type, l, "type", where + ": link type");
            String label = scalar(l, "label", where + " link");
            requireName(label, l, "label", where + ": link label");
            String direction = scalar(l, "direction", where + " link");
            if (direction != null && !direction.equals("incoming") && !direction.equals("outgoing")) {
                problem(lineOf(l, "direction"), where + ": link direction is '" + direction
                        + "'; use incoming ((parent)->(this)) or outgoing ((this)->(parent))");
            }
            Target target = label == null ? null : targets.get(label);
            if (label != null && target == null && PropertyNames.isIdentifier(label)) {
                problem(lineOf(l, "label"), where + ": link label " + label + " is not the label of any mapped node table; map that table too");
            }
            if (target != null && !columns.isEmpty() && target.keySize() != columns.size()) {
                problem(l.line(), where + ": the link names " + columns.size() + " column(s) but " + label + " has a key of "
                        + target.keySize() + ": name one column per key column, in the key's order");
            }
            if (columns.isEmpty() || type == null || label == null) {
                return null;
            }
            return new ParentLink(List.copyOf(columns), type, label, direction == null || direction.equals("incoming"),
                    target == null ? NodeMapping.DEFAULT_ID_PROPERTY : target.idProperty());
        }

        private RelationshipMapping relationship(Node r, Set<String> tables) {
            if (!r.isMap()) {
                problem(r.line(), "each entry under 'relationships' must be a map with table, type, from and to, got " + r.describe());
                return null;
            }
            TableId table = table(r, "relationship table", tables);
            String where = "relationship table " + (table == null ? "(line " + r.line() + ")" : table);
            allowOnly(r, where, RELATIONSHIP_KEYS);
            String type = scalar(r, "type", where);
            requireName(type, r, "type", where + ": type");
            RelationshipMapping.Endpoint from = endpoint(r, "from", where, table);
            RelationshipMapping.Endpoint to = endpoint(r, "to", where, table);
            String version = column(r, "version", where, table);
            String versionProperty = scalar(r, "versionProperty", where);
            ColumnRules rules = columnRules(r, where, table);
            if (versionProperty == null && version != null) {
                versionProperty = rules.propertyName(version);
            }
            if (versionProperty != null) {
                requireName(versionProperty, r, "versionProperty", where + ": versionProperty");
            }
            Boolean temporal = bool(r, "temporal", where);
            if (Boolean.TRUE.equals(temporal)) {
                for (String reserved : List.of("validFrom", "validTo")) {
                    if (reserved.equals(versionProperty) || rules.propertyNames().containsValue(reserved)) {
                        problem(lineOf(r, "temporal"), where + ": " + reserved + " is the temporal relationship's own property; rename the column's property");
                    }
                }
            }
            if (table == null || type == null || from == null || to == null) {
                return null;
            }
            reverseRules(r, where, table, ReverseRules.RELATIONSHIP_DEFAULT);
            return new RelationshipMapping(table, type, from, to, version, versionProperty, Boolean.TRUE.equals(temporal), rules);
        }

        private RelationshipMapping.Endpoint endpoint(Node r, String side, String where, TableId table) {
            Node e = r.map().get(side);
            if (e == null || e.isNull()) {
                problem(r.line(), where + ": needs both from and to, each {label, column}; '" + side + "' is missing");
                return null;
            }
            if (!e.isMap()) {
                problem(e.line(), where + ": '" + side + "' must be a map {label, column}, got " + e.describe());
                return null;
            }
            allowOnly(e, where + " " + side, ENDPOINT_KEYS);
            String label = scalar(e, "label", where + " " + side);
            requireName(label, e, "label", where + ": " + side + " label");
            List<String> columns = endpointColumns(e, where + " " + side, table);
            Target target = label == null ? null : targets.get(label);
            if (label != null && target == null && PropertyNames.isIdentifier(label)) {
                problem(lineOf(e, "label"), where + ": " + side + " label " + label + " is not the label of any mapped node table; map that table too");
            }
            if (target != null && !columns.isEmpty() && target.keySize() != columns.size()) {
                problem(e.line(), where + ": '" + side + "' names " + columns.size() + " column(s) but " + label + " has a key of "
                        + target.keySize() + ": name one column per key column, in the key's order");
            }
            if (label == null || columns.isEmpty()) {
                return null;
            }
            return new RelationshipMapping.Endpoint(label, List.copyOf(columns), target == null ? NodeMapping.DEFAULT_ID_PROPERTY : target.idProperty());
        }

        private List<String> endpointColumns(Node e, String where, TableId table) {
            boolean one = e.map().containsKey("column");
            boolean many = e.map().containsKey("columns");
            if (one && many) {
                problem(lineOf(e, "columns"), where + ": give 'column' or 'columns', not both");
            }
            List<String> columns = columns(e, many ? "columns" : "column", where, table);
            if (columns.isEmpty()) {
                problem(e.line(), where + ": 'column' is missing: name the column holding the other node's key (columns: [...] for a composite key)");
            }
            return columns;
        }

        private ColumnRules columnRules(Node n, String where, TableId table) {
            Set<String> pgOnly = new LinkedHashSet<>(columns(n, "pgOnly", where, table));
            Set<String> asText = new LinkedHashSet<>(columns(n, "asText", where, table));
            Map<String, String> properties = new LinkedHashMap<>();
            Node props = n.map().get("properties");
            if (props != null && !props.isNull()) {
                if (!props.isMap()) {
                    problem(props.line(), where + ": 'properties' must be a map of column: propertyName, got " + props.describe());
                } else {
                    props.map().forEach((column, value) -> {
                        int line = props.keyLines().get(column);
                        requireColumn(column, line, where + ": properties");
                        note(table, column, line);
                        if (!value.isScalar() || value.isNull()) {
                            problem(line, where + ": properties: " + column + " must name one property, got " + value.describe());
                        } else if (!PropertyNames.isIdentifier(value.text())) {
                            problem(value.line(), where + ": property name for " + column + " is '" + value.text()
                                    + "'; it must be letters, digits and _ starting with a letter");
                        } else {
                            properties.put(column, value.text());
                        }
                    });
                    Set<String> seen = new HashSet<>();
                    properties.forEach((column, property) -> {
                        if (!seen.add(property)) {
                            problem(props.keyLines().get(column), where + ": two columns are renamed to property " + property);
                        }
                    });
                }
            }
            Map<String, JsonColumn> json = new LinkedHashMap<>();
            Node jsonNode = n.map().get("json");
            if (jsonNode != null && !jsonNode.isNull()) {
                if (!jsonNode.isMap()) {
                    problem(jsonNode.line(), where + ": 'json' must be a map of column: string | {store: flatten, keys: [...]}, got " + jsonNode.describe());
                } else {
                    jsonNode.map().forEach((column, rule) -> {
                        int line = jsonNode.keyLines().get(column);
                        requireColumn(column, line, where + ": json");
                        note(table, column, line);
                        JsonColumn bound = jsonRule(column, rule, line, where);
                        if (bound != null) {
                            json.put(column, bound);
                        }
                    });
                }
            }
            for (String column : pgOnly) {
                if (properties.containsKey(column) || json.containsKey(column)) {
                    problem(lineOf(n, "pgOnly"), where + ": " + column + " is pgOnly and also given a property or json rule; pgOnly columns never reach the graph");
                }
            }
            Lane insert = lane(n, "insertLane", where);
            Map<String, Lane> lanes = new LinkedHashMap<>();
            Node laneNode = n.map().get("lanes");
            if (laneNode != null && !laneNode.isNull()) {
                if (!laneNode.isMap()) {
                    problem(laneNode.line(), where + ": 'lanes' must be a map of column: lane, got " + laneNode.describe());
                } else {
                    laneNode.map().forEach((column, value) -> {
                        int line = laneNode.keyLines().get(column);
                        requireColumn(column, line, where + ": lanes");
                        note(table, column, line);
                        Lane lane = value.isScalar() ? Lane.parse(value.text()) : null;
                        if (lane == null) {
                            problem(value.line(), where + ": lane of " + column + " is " + value.describe() + "; use critical, high, normal or low");
                        } else {
                            lanes.put(column, lane);
                        }
                    });
                }
            }
            return new ColumnRules(Set.copyOf(pgOnly), Map.copyOf(properties), Map.copyOf(json), Set.copyOf(asText),
                    new Lanes(insert == null ? Lane.NORMAL : insert, Map.copyOf(lanes)));
        }

        private JsonColumn jsonRule(String column, Node rule, int line, String where) {
            if (rule.isScalar() && "string".equals(rule.text())) {
                return new JsonColumn(column, false, List.of(), null);
            }
            if (rule.isScalar() && "flatten".equals(rule.text())) {
                problem(line, where + ": json " + column + ": flatten needs the keys to keep: {store: flatten, keys: [a, b]}");
                return null;
            }
            if (!rule.isMap()) {
                problem(rule.line(), where + ": json " + column + " is " + rule.describe() + "; use string, or {store: flatten, keys: [a, b]}");
                return null;
            }
            allowOnly(rule, where + ": json " + column, JSON_KEYS);
            String store = scalar(rule, "store", where + ": json " + column);
            if (store == null) {
                store = "string";
            }
            List<String> keys = names(rule, "keys", where + ": json " + column);
            String prefix = scalar(rule, "prefix", where + ": json " + column);
            if (prefix != null && !prefix.isEmpty() && !PropertyNames.isIdentifier(prefix)) {
                problem(lineOf(rule, "prefix"), where + ": json " + column + ": prefix '" + prefix + "' must be letters, digits and _ starting with a letter");
            }
            switch (store) {
                case "string" -> {
                    if (!keys.isEmpty()) {
                        problem(lineOf(rule, "keys"), where + ": json " + column + ": keys apply only to store: flatten");
                    }
                    return new JsonColumn(column, false, List.of(), null);
                }
                case "flatten" -> {
                    if (keys.isEmpty()) {
                        problem(lineOf(rule, "store"), where + ": json " + column + ": flatten needs the keys to keep: keys: [a, b]");
                    }
                    for (String key : keys) {
                        if (!COLUMN.matcher(key).matches() || !PropertyNames.isIdentifier(PropertyNames.camelCase(key))) {
                            problem(lineOf(rule, "keys"), where + ": json " + column + ": key '" + key
                                    + "' cannot name a property; only keys of letters, digits and _ can be flattened");
                        }
                    }
                    return new JsonColumn(column, true, List.copyOf(keys), prefix);
                }
                default -> {
                    problem(lineOf(rule, "store"), where + ": json " + column + ": store is '" + store + "'; use string or flatten");
                    return null;
                }
            }
        }

        private Lane lane(Node n, String key, String where) {
            String text = scalar(n, key, where);
            if (text == null) {
                return null;
            }
            Lane lane = Lane.parse(text);
            if (lane == null) {
                problem(lineOf(n, key), where + ": " + key + " is '" + text + "'; use critical, high, normal or low");
            }
            return lane;
        }

        private TableId table(Node n, String what, Set<String> seen) {
            String table = scalar(n, "table", what);
            if (table == null) {
                problem(n.line(), what + " (line " + n.line() + "): 'table' is missing (schema.table or table)");
                return null;
            }
            String[] parts = table.split("\\.", -1);
            if (parts.length > 2) {
                problem(lineOf(n, "table"), what + " '" + table + "' is not a plain lower-case table name (schema.table)");
                return null;
            }
            for (String part : parts) {
                if (!TABLE_PART.matcher(part).matches()) {
                    problem(lineOf(n, "table"), what + " '" + table + "' is not a plain lower-case table name");
                    return null;
                }
            }
            TableId id = TableId.parse(table);
            if (!seen.add(id.toString())) {
                problem(lineOf(n, "table"), what + " " + id + ": the table is mapped twice; keep one entry");
            }
            lines.putIfAbsent(id.toString(), lineOf(n, "table"));
            for (String setting : n.keyLines().keySet()) {
                lines.putIfAbsent(id + "@" + setting, n.keyLines().get(setting));
            }
            return id;
        }

        private String column(Node n, String key, String where, TableId table) {
            String column = scalar(n, key, where);
            if (column != null) {
                requireColumn(column, lineOf(n, key), where + ": " + key);
                note(table, column, lineOf(n, key));
            }
            return column;
        }

        private List<String> columns(Node n, String key, String where, TableId table) {
            List<String> columns = names(n, key, where);
            for (String column : columns) {
                requireColumn(column, lineOf(n, key), where + ": " + key);
                note(table, column, lineOf(n, key));
            }
            return columns;
        }

        private void note(TableId table, String column, int line) {
            if (table != null) {
                lines.putIfAbsent(table + "#" + column, line);
            }
        }

        private void requireColumn(String column, int line, String where) {
            if (!COLUMN.matcher(column).matches()) {
                problem(line, where + " names column '" + column + "'; a column name here is letters, digits, _ and $");
            }
        }

        private void requireName(String name, Node n, String key, String where) {
            if (name == null) {
                if (!n.map().containsKey(key)) {
                    problem(n.line(), where + " is missing");
                }
                return;
            }
            if (!PropertyNames.isIdentifier(name)) {
                problem(lineOf(n, key), where + " is '" + name + "'; it must be letters, digits and _ starting with a letter");
            }
        }

        private void allowOnly(Node map, String where, Set<String> allowed) {
            map.keyLines().forEach((key, line) -> {
                if (!allowed.contains(key)) {
                    problem(line, where + ": unknown key '" + key + "': check its spelling (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            });
        }

        private List<Node> entries(Node map, String key) {
            Node list = map.map().get(key);
            if (list == null || list.isNull()) {
                return List.of();
            }
            if (!list.isList()) {
                problem(list.line(), "'" + key + "' must be a list of entries (each starting with '- '), got " + list.describe());
                return List.of();
            }
            return list.list();
        }

        private String scalar(Node map, String key, String where) {
            Node value = map.map().get(key);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isScalar()) {
                problem(value.line(), where + ": '" + key + "' must be one value, got " + value.describe());
                return null;
            }
            return value.text();
        }

        private String scalarQuiet(Node map, String key) {
            Node value = map.map().get(key);
            return value != null && value.isScalar() ? value.text() : null;
        }

        private List<String> namesQuiet(Node map, String key) {
            Node value = map.map().get(key);
            if (value == null || value.isNull()) {
                return List.of();
            }
            if (value.isScalar()) {
                return List.of(value.text());
            }
            return value.list().stream().filter(Node::isScalar).map(Node::text).toList();
        }

        private List<String> names(Node map, String key, String where) {
            Node value = map.map().get(key);
            if (value == null || value.isNull()) {
                return List.of();
            }
            if (value.isScalar()) {
                return List.of(value.text());
            }
            if (!value.isList()) {
                problem(value.line(), where + ": '" + key + "' must be a name or a list of names, got " + value.describe());
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (Node element : value.list()) {
                if (!element.isScalar() || element.isNull()) {
                    problem(element.line(), where + ": '" + key + "' must list names, got " + element.describe());
                } else {
                    names.add(element.text());
                }
            }
            return names;
        }

        private Boolean bool(Node map, String key, String where) {
            String text = scalar(map, key, where);
            if (text == null) {
                return null;
            }
            return switch (text) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> {
                    problem(lineOf(map, key), where + ": " + key + " is '" + text + "'; use true or false");
                    yield null;
                }
            };
        }

        private static int lineOf(Node map, String key) {
            Integer line = map.keyLines().get(key);
            return line == null ? map.line() : line;
        }

        private void problem(int line, String message) {
            problems.add(new MappingProblem(line, message));
        }
    }
}
