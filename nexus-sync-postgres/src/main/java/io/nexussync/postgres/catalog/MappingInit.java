package io.nexussync.postgres.catalog;

import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.PropertyNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code nexus-sync mapping init}: a starting mapping from the catalog, for the user to edit. Each
 * table with a primary key (or a unique key of NOT NULL columns) becomes a node label (PascalCase,
 * singular); a table whose key is exactly its two foreign keys becomes a relationship between them
 * (join table), keyed in the key's column order; every other foreign key to a node table's key becomes
 * a link {@code (parent)-[:HAS_CHILD]->(child)}. The sync columns nexus-sync itself uses
 * ({@code neo4j_node_id}, {@code pg_version}, {@code neo4j_version}) are recognised. Columns whose type
 * has no graph form go under pgOnly. Deterministic: the same catalog gives the same text.
 */
public final class MappingInit {
    public static final String CROSS_REFERENCE = "neo4j_node_id";
    public static final String VERSION = "pg_version";
    public static final String GRAPH_VERSION = "neo4j_version";

    private static final Pattern TABLE_PART = Pattern.compile("[a-z_][a-z0-9_$]*");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    private final Catalog catalog;
    private final Map<TableId, List<String>> nodeKeys = new LinkedHashMap<>();
    private final Map<TableId, String> labels = new HashMap<>();
    private final Map<TableId, Catalog.ForeignKey[]> joins = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();

    private MappingInit(Catalog catalog) {
        this.catalog = catalog;
    }

    /** @param name the mapping's name */
    public static String generate(Catalog catalog, String name) {
        return new MappingInit(catalog).render(name);
    }

    private String render(String name) {
        classify();
        StringBuilder out = new StringBuilder();
        out.append("# A starting mapping written by `nexus-sync mapping init` from the database catalog. Edit it, then\n")
                .append("# run `nexus-sync mapping check FILE`. What init cannot know: relationship type names (join tables are\n")
                .append("# named after the table), which columns stay in PostgreSQL (pgOnly) or belong to the graph (graphOnly),\n")
                .append("# temporal history, json flattening, lanes. See the README's \"Mapping file\" section.\n");
        out.append("name: ").append(name).append('\n');
        out.append("nodes:\n");
        for (var entry : nodeKeys.entrySet()) {
            renderNode(out, catalog.tables().get(entry.getKey()), entry.getValue());
        }
        if (!joins.isEmpty()) {
            out.append("relationships:\n");
            joins.forEach((id, fks) -> renderJoin(out, catalog.tables().get(id), fks));
        }
        for (String s : skipped) {
            out.append("# skipped ").append(s).append('\n');
        }
        return out.toString();
    }

    private void classify() {
        for (Catalog.Table table : catalog.tables().values()) {
            if (!plainName(table.id())) {
                skipped.add(table.id() + ": not a plain lower-case name, which a mapping cannot name");
                continue;
            }
            List<String> key = key(table);
            if (key == null) {
                skipped.add(table.id() + ": no primary key and no unique key of NOT NULL columns to find its rows by");
                continue;
            }
            nodeKeys.put(table.id(), key);
        }
        // Join tables: exactly two foreign keys, both to node tables' keys, that together are the table's key.
        for (Catalog.Table table : catalog.tables().values()) {
            List<String> key = nodeKeys.get(table.id());
            if (key == null || table.foreignKeys().size() != 2) {
                continue;
            }
            Catalog.ForeignKey a = table.foreignKeys().get(0);
            Catalog.ForeignKey b = table.foreignKeys().get(1);
            Set<String> both = new HashSet<>(a.columns());
            both.addAll(b.columns());
            boolean disjoint = both.size() == a.columns().size() + b.columns().size();
            if (disjoint && both.equals(new HashSet<>(key)) && key.size() == both.size() && targetsKey(a) && targetsKey(b)
                    && !a.references().equals(table.id()) && !b.references().equals(table.id())) {
                // from is the foreign key whose columns come first in the table's key
                boolean aFirst = key.indexOf(a.columns().get(0)) < key.indexOf(b.columns().get(0));
                joins.put(table.id(), aFirst ? new Catalog.ForeignKey[] {a, b} : new Catalog.ForeignKey[] {b, a});
            }
        }
        joins.keySet().forEach(nodeKeys::remove);
        Set<String> used = new HashSet<>();
        for (TableId id : nodeKeys.keySet()) {
            String label = label(id.name());
            if (!used.add(label)) {
                label = label(id.schema()) + label;
                used.add(label);
            }
            labels.put(id, label);
        }
    }

    private void renderNode(StringBuilder out, Catalog.Table table, List<String> key) {
        TableId id = table.id();
        String label = labels.get(id);
        out.append("  - table: ").append(id).append('\n');
        out.append("    label: ").append(label).append('\n');
        out.append("    key: ").append(key.size() == 1 ? key.get(0) : "[" + String.join(", ", key) + "]").append('\n');
        if (key.size() > 1 && key.stream().anyMatch(k -> PropertyNames.camelCase(k).equals("id"))) {
            out.append("    idProperty: nodeKey   # a key column is already property 'id'\n");
        }
        boolean versioned = table.column(VERSION).filter(c -> GraphTypes.INTEGER.contains(c.typeName())).isPresent();
        if (versioned) {
            out.append("    version: ").append(VERSION).append('\n');
            if (table.column(GRAPH_VERSION).isPresent()) {
                out.append("    graphVersion: ").append(GRAPH_VERSION).append('\n');
            }
        }
        if (table.column(CROSS_REFERENCE).isPresent()) {
            out.append("    crossReference: ").append(CROSS_REFERENCE).append('\n');
        }
        List<String> links = new ArrayList<>();
        Map<TableId, Integer> perTarget = new HashMap<>();
        table.foreignKeys().forEach(fk -> perTarget.merge(fk.references(), 1, Integer::sum));
        Set<String> linkColumns = new HashSet<>();
        for (Catalog.ForeignKey fk : table.foreignKeys()) {
            String parent = labels.get(fk.references());
            if (parent == null || !targetsKey(fk)) {
                out.append("    # foreign key ").append(fk.name()).append(" is not a link: it does not reference a mapped table's key\n");
                continue;
            }
            List<String> columns = inTargetKeyOrder(fk);
            linkColumns.addAll(columns);
            String columnPart = columns.size() == 1 ? "column: " + columns.get(0) : "columns: [" + String.join(", ", columns) + "]";
            if (perTarget.get(fk.references()) == 1) {
                links.add("{" + columnPart + ", type: HAS_" + upperSnake(label) + ", label: " + parent + ", direction: incoming}");
            } else {
                // several foreign keys to one table: name each after its column, pointing at the parent
                String type = upperSnake(PropertyNames.camelCase(fk.columns().get(0).replaceAll("_id$", "")));
                links.add("{" + columnPart + ", type: " + type + ", label: " + parent + ", direction: outgoing}");
            }
        }
        renderColumns(out, table, Set.of(VERSION, GRAPH_VERSION, CROSS_REFERENCE));
        if (!links.isEmpty()) {
            out.append("    links:\n");
            links.forEach(l -> out.append("      - ").append(l).append('\n'));
        }
    }

    private void renderJoin(StringBuilder out, Catalog.Table table, Catalog.ForeignKey[] fks) {
        out.append("  - table: ").append(table.id()).append('\n');
        out.append("    type: ").append(upperSnake(label(table.id().name()))).append("   # named after the table: rename it to the verb you mean\n");
        out.append("    from: ").append(endpoint(fks[0])).append('\n');
        out.append("    to: ").append(endpoint(fks[1])).append('\n');
        if (table.column(VERSION).filter(c -> GraphTypes.INTEGER.contains(c.typeName())).isPresent()) {
            out.append("    version: ").append(VERSION).append('\n');
        }
        out.append("    temporal: false   # true keeps every version of the relationship (validFrom/validTo)\n");
        renderColumns(out, table, Set.of(VERSION));
    }

    private String endpoint(Catalog.ForeignKey fk) {
        List<String> columns = inTargetKeyOrder(fk);
        return "{label: " + labels.get(fk.references()) + ", "
                + (columns.size() == 1 ? "column: " + columns.get(0) : "columns: [" + String.join(", ", columns) + "]") + "}";
    }

    /** pgOnly for columns without a graph form; json columns spelled out so that flattening is one edit away. */
    private void renderColumns(StringBuilder out, Catalog.Table table, Set<String> sync) {
        List<String> pgOnly = new ArrayList<>();
        List<String> json = new ArrayList<>();
        for (Catalog.Column column : table.columns()) {
            if (sync.contains(column.name())) {
                continue;
            }
            if (!COLUMN.matcher(column.name()).matches()) {
                out.append("    # column \"").append(column.name().replace("\n", " ")).append("\" cannot be named in a mapping; it syncs under its own name\n");
                continue;
            }
            String problem = GraphTypes.problem(column);
            if (problem != null) {
                pgOnly.add(column.name());
                out.append("    # ").append(column.name()).append(": ").append(problem).append(" (pgOnly; or asText)\n");
            } else if (!column.isArray() && GraphTypes.JSON.contains(column.typeName())) {
                json.add(column.name() + ": string");
            }
        }
        if (!pgOnly.isEmpty()) {
            out.append("    pgOnly: [").append(String.join(", ", pgOnly)).append("]\n");
        }
        if (!json.isEmpty()) {
            out.append("    json: {").append(String.join(", ", json)).append("}   # or {store: flatten, keys: [a, b]}\n");
        }
    }

    /** The primary key, else the first unique key of NOT NULL columns; all of a type a node key may have. Null when none. */
    private static List<String> key(Catalog.Table table) {
        for (List<String> key : table.uniqueKeys()) {
            boolean usable = key.stream().allMatch(k -> COLUMN.matcher(k).matches() && table.column(k)
                    .filter(c -> c.notNull() && GraphTypes.KEY.contains(c.typeName())).isPresent());
            if (usable) {
                return key;
            }
        }
        return null;
    }

    /** Whether the foreign key references exactly the key init chose for its target. */
    private boolean targetsKey(Catalog.ForeignKey fk) {
        List<String> key = nodeKeys.get(fk.references());
        return key != null && key.size() == fk.referencedColumns().size() && new HashSet<>(key).equals(new HashSet<>(fk.referencedColumns()));
    }

    private List<String> inTargetKeyOrder(Catalog.ForeignKey fk) {
        List<String> key = nodeKeys.get(fk.references());
        List<String> ordered = new ArrayList<>();
        for (String k : key) {
            ordered.add(fk.columns().get(fk.referencedColumns().indexOf(k)));
        }
        return ordered;
    }

    private static boolean plainName(TableId id) {
        return TABLE_PART.matcher(id.schema()).matches() && TABLE_PART.matcher(id.name()).matches();
    }

    /** {@code content_items} is {@code ContentItem}, {@code categories} is {@code Category}. */
    static String label(String table) {
        String camel = PropertyNames.camelCase(singular(table.replace("$", "_")));
        String label = camel.isEmpty() ? "Node" : Character.toUpperCase(camel.charAt(0)) + camel.substring(1);
        return Character.isLetter(label.charAt(0)) ? label : "T" + label;
    }

    static String singular(String word) {
        if (word.endsWith("ies") && word.length() > 3) {
            return word.substring(0, word.length() - 3) + "y";
        }
        for (String ending : List.of("sses", "xes", "ches", "shes", "zes", "uses")) {
            if (word.endsWith(ending)) {
                return word.substring(0, word.length() - 2);
            }
        }
        if (word.endsWith("s") && !word.endsWith("ss") && word.length() > 1) {
            return word.substring(0, word.length() - 1);
        }
        return word;
    }

    /** {@code ContentItem} is {@code CONTENT_ITEM}. */
    static String upperSnake(String camel) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                out.append('_');
            }
            out.append(Character.toUpperCase(c));
        }
        return out.toString().toUpperCase(Locale.ROOT);
    }
}
