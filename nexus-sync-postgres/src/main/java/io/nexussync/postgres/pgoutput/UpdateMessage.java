package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.RowChange;
import java.util.Map;

/**
 * 'U': relation id, an optional old tuple ('K' key columns when the key changed, 'O' the whole row
 * under REPLICA IDENTITY FULL), then 'N' and the new tuple.
 */
final class UpdateMessage {

    private UpdateMessage() {}

    static RowChange.Update decode(PgOutputReader reader, Relations relations) {
        RelationDescriptor relation = relations.require(reader.int32("relation id"), reader);
        byte marker = reader.int8("tuple marker");
        Map<String, Object> oldKey = null;
        if (marker == 'K' || marker == 'O') {
            oldKey = TupleData.read(reader, relation, marker == 'K');
            marker = reader.int8("new tuple marker");
        }
        if (marker != 'N') {
            throw reader.fail("expected 'K', 'O' or 'N' in the update of " + relation.table() + ", got '" + (char) marker + "'");
        }
        return new RowChange.Update(relation.table(), oldKey, TupleData.read(reader, relation, false));
    }
}
