package io.nexussync.postgres.catalog;

import io.nexussync.core.model.TableId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the database says about its tables: columns and types, primary and unique keys, foreign keys. Read by {@link CatalogReader}. */
public record Catalog(Map<TableId, Table> tables) {

    public Optional<Table> table(TableId id) {
        return Optional.ofNullable(tables.get(id));
    }

    /**
     * @param typeName    the type's name ({@code int8}, {@code jsonb}, an enum's name); for an array, the array type ({@code _text})
     * @param displayType the type as SQL spells it ({@code bigint}, {@code numeric(10,2)}, {@code text[]})
     * @param typeKind    {@code b} base, {@code e} enum, {@code d} domain, {@code c} composite, {@code r} range ({@code pg_type.typtype})
     * @param elementTypeName for an array, the element type's name; else null
     * @param elementKind     for an array, the element type's kind; else 0
     * @param dimensions  declared array dimensions ({@code attndims}; 0 when not declared)
     */
    public record Column(String name, String typeName, String displayType, char typeKind, String elementTypeName, char elementKind,
                         int dimensions, boolean notNull) {
        public boolean isArray() {
            return elementTypeName != null;
        }
    }

    /** @param referencedColumns the referenced table's columns, in the order matching {@code columns} */
    public record ForeignKey(String name, List<String> columns, TableId references, List<String> referencedColumns) {}

    /** @param uniqueKeys every primary key and unique index without predicate or expression, the primary key first */
    public record Table(TableId id, List<Column> columns, List<String> primaryKey, List<List<String>> uniqueKeys, List<ForeignKey> foreignKeys) {
        public Optional<Column> column(String name) {
            return columns.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        public List<String> columnNames() {
            return columns.stream().map(Column::name).toList();
        }

        /** Whether no two rows can share values in all of {@code columns} (some unique key lies within them). */
        public boolean isUnique(java.util.Collection<String> columns) {
            return uniqueKeys.stream().anyMatch(columns::containsAll);
        }
    }
}
