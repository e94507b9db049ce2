package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import java.util.List;
import java.util.Map;

/** Reads a TupleData block into a row keyed by column name, values converted by column type. */
final class TupleData {

    private TupleData() {}

    /**
     * @param keyOnly for a {@code 'K'} old tuple: PostgreSQL sends every column but only the key
     *                ones carry values, the rest are placeholder nulls that must not read as "was NULL"
     */
    static Map<String, Object> read(PgOutputReader reader, RelationDescriptor relation, boolean keyOnly) {
        List<ColumnDescriptor> columns = relation.columns();
        int count = reader.int16("tuple column count");
        if (count != columns.size()) {
            throw reader.fail("tuple for " + relation.table() + " has " + count
                    + " column(s) but its Relation message described " + columns.size());
        }
        RowImage.Layout layout = keyOnly ? relation.keyLayout() : relation.rowLayout();
        Object[] values = new Object[layout.width()];
        for (int c = 0; c < count; c++) {
            Object value = readValue(reader, relation, columns.get(c));
            int slot = layout.slotOfColumn[c];
            if (slot >= 0) {
                values[slot] = value;
            }
        }
        return new RowImage(layout, values);
    }

    private static Object readValue(PgOutputReader reader, RelationDescriptor relation, ColumnDescriptor column) {
        byte kind = reader.columnKind(column.name());
        return switch (kind) {
            case 'n' -> null;
            case 'u' -> Unchanged.TOAST;
            case 't' -> convert(relation, column, reader.columnText(reader.columnLength(column.name())));
            // We never ask for binary, so there is no per-type binary decoding: keep the bytes as they came.
            case 'b' -> reader.columnBytes(reader.columnLength(column.name()));
            default -> throw reader.fail("unknown tuple value kind '" + (char) kind + "' for "
                    + relation.table() + "." + column.name());
        };
    }

    private static Object convert(RelationDescriptor relation, ColumnDescriptor column, String text) {
        try {
            return ValueConverter.fromText(column.typeOid(), text);
        } catch (ValueConversionException e) {
            // A bad value costs its row (a dead letter, if the mapping uses the column), never the stream. The converter's
            // message quotes the value: only the detail, for the dead letter and the log, holds it.
            return new Unconvertible(relation.table() + "." + column.name() + ": its " + PgTypeOids.name(column.typeOid())
                    + " value has no graph form", e.getMessage());
        }
    }
}
