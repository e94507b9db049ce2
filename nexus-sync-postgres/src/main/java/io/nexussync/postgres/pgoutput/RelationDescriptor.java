package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.TableId;
import java.util.List;

/**
 * A published table as the last Relation message for its id described it, columns in the order
 * tuples carry them.
 *
 * @param replicaIdentity the {@code relreplident} setting: {@code d} default (primary key),
 *                        {@code n} nothing, {@code f} full, {@code i} index
 */
public record RelationDescriptor(TableId table, char replicaIdentity, List<ColumnDescriptor> columns, RowImage.Layout rowLayout,
                                 RowImage.Layout keyLayout) {

    public RelationDescriptor(TableId table, char replicaIdentity, List<ColumnDescriptor> columns) {
        this(table, replicaIdentity, List.copyOf(columns), new RowImage.Layout(columns, false), new RowImage.Layout(columns, true));
    }

    /** The replica identity columns, in column order. */
    public List<ColumnDescriptor> keyColumns() {
        return columns.stream().filter(ColumnDescriptor::key).toList();
    }

    public List<String> keyColumnNames() {
        return columns.stream().filter(ColumnDescriptor::key).map(ColumnDescriptor::name).toList();
    }
}
