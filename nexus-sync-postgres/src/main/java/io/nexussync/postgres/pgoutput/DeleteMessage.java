package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.RowChange;

/** 'D': relation id, then 'K' and the key columns or 'O' and the whole old row. */
final class DeleteMessage {

    private DeleteMessage() {}

    static RowChange.Delete decode(PgOutputReader reader, Relations relations) {
        RelationDescriptor relation = relations.require(reader.int32("relation id"), reader);
        byte marker = reader.int8("old tuple marker");
        if (marker != 'K' && marker != 'O') {
            throw reader.fail("expected 'K' or 'O' in the delete of " + relation.table() + ", got '" + (char) marker + "'");
        }
        return new RowChange.Delete(relation.table(), TupleData.read(reader, relation, marker == 'K'));
    }
}
