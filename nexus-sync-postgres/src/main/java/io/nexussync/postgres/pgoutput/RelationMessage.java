package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.List;

/** 'R': the shape of a published table, sent before its first change and after each schema change. */
final class RelationMessage {

    private static final int FLAG_KEY = 1;

    private RelationMessage() {}

    static void decode(PgOutputReader reader, Relations relations) {
        int id = reader.int32("relation id");
        String namespace = Namespaces.of(reader.string("namespace"));
        String name = reader.string("relation name");
        char replicaIdentity = (char) reader.int8("replica identity");
        int count = reader.int16("column count");
        if (count < 0) {
            throw reader.fail("negative column count " + count + " for " + namespace + "." + name);
        }
        List<ColumnDescriptor> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int flags = reader.int8("column " + i + " flags");
            String column = reader.string("column " + i + " name");
            int typeOid = reader.int32("column " + column + " type OID");
            int typmod = reader.int32("column " + column + " typmod");
            columns.add(new ColumnDescriptor(column, typeOid, typmod, (flags & FLAG_KEY) != 0));
        }
        relations.put(id, new RelationDescriptor(new TableId(namespace, name), replicaIdentity, columns));
    }
}
