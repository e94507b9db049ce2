package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.RowChange;

/** 'I': relation id, 'N', the new tuple. */
final class InsertMessage {

    private InsertMessage() {}

    static RowChange.Insert decode(PgOutputReader reader, Relations relations) {
        RelationDescriptor relation = relations.require(reader.int32("relation id"), reader);
        byte marker = reader.int8("new tuple marker");
        if (marker != 'N') {
            throw reader.fail("expected 'N' before the new tuple of " + relation.table() + ", got '" + (char) marker + "'");
        }
        return new RowChange.Insert(relation.table(), TupleData.read(reader, relation, false));
    }
}
