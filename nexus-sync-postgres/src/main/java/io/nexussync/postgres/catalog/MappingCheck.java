package io.nexussync.postgres.catalog;

import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.ColumnRules;
import io.nexussync.core.mapping.JsonColumn;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingDocument;
import io.nexussync.core.mapping.MappingProblem;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.PropertyNames;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code nexus-sync mapping check}: a mapping file against the live catalog. Every problem at once,
 * each with its line: the loader's (names, structure, unmapped endpoint labels) and the catalog's
 * (unknown table or column, a type without a graph form, a key that is not unique or may be null,
 * two columns landing on one property). Notes say what setup will add.
 */
public final class MappingCheck {

    /** @param notes what is not a problem but worth knowing (sync columns setup will add) */
    public record Report(List<MappingProblem> problems, List<MappingProblem> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final MappingDocument document;
    private final Catalog catalog;
    private final List<MappingProblem> problems = new ArrayList<>();
    private final List<MappingProblem> notes = new ArrayList<>();

    private MappingCheck(MappingDocument document, Catalog catalog) {
        this.document = document;
        this.catalog = catalog;
    }

    public static Report check(MappingDocument document, Catalog catalog) {
        MappingCheck check = new MappingCheck(document, catalog);
        check.problems.addAll(document.problems());
        if (document.mapping() != null) {
            check.run(document.mapping());
        }
        List<MappingProblem> problems = new ArrayList<>(check.problems);
        problems.sort(null);
        List<MappingProblem> notes = new ArrayList<>(check.notes);
        notes.sort(null);
        return new Report(List.copyOf(problems), List.copyOf(notes));
    }

    private void run(Mapping mapping) {
        for (NodeMapping node : mapping.nodes()) {
            catalog.table(node.table()).ifPresentOrElse(t -> checkNode(node, t, mapping), () -> missingTable(node.table()));
        }
        for (RelationshipMapping relationship : mapping.relationships()) {
            catalog.table(relationship.table()).ifPresentOrElse(t -> checkRelationship(relationship, t), () -> missingTable(relationship.table()));
        }
    }

    private void missingTable(TableId table) {
        problem(document.line(table), "table " + table + " does not exist" + similar(table));
    }

    private String similar(TableId table) {
        List<String> near = catalog.tables().keySet().stream().filter(t -> t.name().equals(table.name())
                || t.schema().equals(table.schema()) && distance(t.name(), table.name()) <= 2).map(TableId::toString).toList();
        return near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)";
    }

    private void checkNode(NodeMapping node, Catalog.Table table, Mapping mapping) {
        TableId id = node.table();
        Set<String> named = new LinkedHashSet<>(node.keyColumns());
        named.addAll(node.pgOnlyColumns());
        named.addAll(rulesColumns(node.columns()));
        node.parentLinks().forEach(l -> named.addAll(l.columns()));
        requireColumns(id, table, named);
        syncColumn(id, table, node.versionColumn(), "bigint NOT NULL DEFAULT 1", true);
        syncColumn(id, table, node.graphVersionColumn(), "bigint NOT NULL DEFAULT 0", true);
        syncColumn(id, table, node.crossReferenceColumn(), "text", false);

        if (table.columnNames().containsAll(node.keyColumns())) {
            for (String column : node.keyColumns()) {
                Catalog.Column c = table.column(column).orElseThrow();
                if (!GraphTypes.KEY.contains(c.typeName())) {
                    problem(document.line(id, column), id + ": key column " + column + " is " + c.displayType()
                            + "; a node key must be smallint, integer, bigint, numeric, text, varchar or uuid (their text form is exact)");
                }
                if (!c.notNull()) {
                    problem(document.line(id, column), id + ": key column " + column + " may be null; a row without a key has no node: make it NOT NULL");
                }
            }
            if (!table.isUnique(node.keyColumns())) {
                problem(document.settingLine(id, "key"), id + ": key " + node.keyColumns() + " is not unique: no primary key or unique index lies within it"
                        + (table.primaryKey().isEmpty() ? "" : "; the primary key is " + table.primaryKey()));
            }
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(node.idProperty(), "the identity property");
        properties.put(NodeMapping.PG_ID_PROPERTY, "pgId (written by the sync service)");
        properties.put("lastSyncedAt", "lastSyncedAt (written by the sync service)");
        if (node.tombstones()) {
            properties.put(NodeMapping.DELETED_AT_PROPERTY, NodeMapping.DELETED_AT_PROPERTY + " (a tombstone's deletion time, tombstones: true)");
        }
        node.graphOnlyProperties().forEach(p -> claim(properties, p, "graphOnly", id, document.settingLine(id, "graphOnly")));
        for (Catalog.Column column : table.columns()) {
            String name = column.name();
            JsonColumn flattened = node.columns().flattened(name);
            if (flattened != null) {
                checkFlattened(id, column, flattened, properties);
            } else if (node.isPropertyColumn(name)) {
                checkPropertyColumn(id, column, node.columns(), node.propertyName(name), properties);
            }
        }
        for (ParentLink link : node.parentLinks()) {
            mapping.nodes().stream().filter(n -> n.label().equals(link.parentLabel())).findFirst()
                    .ifPresent(parent -> checkReference(id, table, link.columns(), parent, "link " + link.type()));
        }
    }

    private void checkRelationship(RelationshipMapping relationship, Catalog.Table table) {
        TableId id = relationship.table();
        Set<String> named = new LinkedHashSet<>(relationship.keyColumns());
        named.addAll(relationship.pgOnlyColumns());
        named.addAll(rulesColumns(relationship.columns()));
        requireColumns(id, table, named);
        syncColumn(id, table, relationship.versionColumn(), "bigint NOT NULL DEFAULT 1", true);
        if (table.columnNames().containsAll(relationship.keyColumns()) && !table.isUnique(relationship.keyColumns())) {
            problem(document.line(id), id + ": rows are not unique by " + relationship.keyColumns()
                    + ", yet each (from, to) pair is one relationship: add a primary key or unique index on those columns");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (relationship.temporal()) {
            properties.put("validFrom", "validFrom (temporal)");
            properties.put("validTo", "validTo (temporal)");
        }
        for (Catalog.Column column : table.columns()) {
            JsonColumn flattened = relationship.columns().flattened(column.name());
            if (flattened != null) {
                checkFlattened(id, column, flattened, properties);
            } else if (relationship.isPropertyColumn(column.name())) {
                checkPropertyColumn(id, column, relationship.columns(), relationship.propertyName(column.name()), properties);
            }
        }
    }

    /** Endpoint columns should hold values of the parent's key's kind; a foreign key to elsewhere is a likely mistake. */
    private void checkReference(TableId id, Catalog.Table table, List<String> columns, NodeMapping target, String what) {
        if (!table.columnNames().containsAll(columns)) {
            return;
        }
        for (Catalog.ForeignKey fk : table.foreignKeys()) {
            if (fk.columns().equals(columns) && !fk.references().equals(target.table())) {
                problem(document.line(id, columns.get(0)), id + ": " + what + " reads " + columns + " as keys of " + target.label() + " ("
                        + target.table() + "), but their foreign key " + fk.name() + " references " + fk.references());
            }
        }
    }

    private void checkPropertyColumn(TableId id, Catalog.Column column, ColumnRules rules, String property, Map<String, String> properties) {
        String problem = GraphTypes.problem(column);
        if (problem != null && !rules.asText().contains(column.name())) {
            problem(document.line(id, column.name()), id + ": column " + column.name() + ": " + problem
                    + ": list it under pgOnly, or under asText to store its text form");
        }
        if (rules.json().containsKey(column.name()) && !GraphTypes.JSON.contains(column.typeName())) {
            problem(document.line(id, column.name()), id + ": column " + column.name() + " has a json rule but is " + column.displayType());
        }
        if (!PropertyNames.isIdentifier(property)) {
            problem(document.line(id, column.name()), id + ": column " + column.name() + " would be property '" + property
                    + "', which is not letters, digits and _ starting with a letter: name it under properties");
        }
        claim(properties, property, "column " + column.name(), id, document.line(id, column.name()));
    }

    private void checkFlattened(TableId id, Catalog.Column column, JsonColumn rule, Map<String, String> properties) {
        if (!GraphTypes.JSON.contains(column.typeName())) {
            problem(document.line(id, column.name()), id + ": column " + column.name() + " is " + column.displayType() + "; only json and jsonb can be flattened");
        }
        for (String key : rule.keys()) {
            claim(properties, rule.propertyName(key), "json key " + column.name() + "." + key, id, document.line(id, column.name()));
        }
    }

    private void claim(Map<String, String> properties, String property, String owner, TableId id, int line) {
        String earlier = properties.putIfAbsent(property, owner);
        if (earlier != null) {
            problem(line, id + ": " + owner + " and " + earlier + " would both be property " + property + ": rename one under properties");
        }
    }

    private void requireColumns(TableId id, Catalog.Table table, Set<String> named) {
        for (String column : named) {
            if (table.column(column).isEmpty()) {
                problem(document.line(id, column), id + " has no column " + column + " (its columns: " + String.join(", ", table.columnNames()) + ")");
            }
        }
    }

    private void syncColumn(TableId id, Catalog.Table table, String column, String definition, boolean integer) {
        if (column == null) {
            return;
        }
        var existing = table.column(column);
        if (existing.isEmpty()) {
            notes.add(new MappingProblem(document.line(id, column), id + ": setup will add column " + column + " " + definition));
        } else if (integer && !GraphTypes.INTEGER.contains(existing.get().typeName())) {
            problem(document.line(id, column), id + ": version column " + column + " is " + existing.get().displayType() + "; it must be an integer type");
        } else if (!integer && !Set.of("text", "varchar").contains(existing.get().typeName())) {
            problem(document.line(id, column), id + ": cross-reference column " + column + " is " + existing.get().displayType() + "; it must be text");
        }
    }

    private static Set<String> rulesColumns(ColumnRules rules) {
        Set<String> columns = new LinkedHashSet<>(rules.asText());
        columns.addAll(rules.propertyNames().keySet());
        columns.addAll(rules.json().keySet());
        columns.addAll(rules.lanes().byColumn().keySet());
        return columns;
    }

    private void problem(int line, String message) {
        problems.add(new MappingProblem(line, message));
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
