package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** 'R': the shape of a published table, sent before its first change and after each schema change. */
final class RelationMessage {

    private static final int FLAG_KEY = 1;

    private RelationMessage() {}

    /** @return what changed against the relation's previous description on this stream, or null when nothing did (or there was none) */
    static CaptureEvent.SchemaChange decode(PgOutputReader reader, Relations relations) {
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
        RelationDescriptor now = new RelationDescriptor(new TableId(namespace, name), replicaIdentity, columns);
        RelationDescriptor before = relations.find(id).orElse(null);
        relations.put(id, now);
        return before == null ? null : difference(before, now);
    }

    private static CaptureEvent.SchemaChange difference(RelationDescriptor before, RelationDescriptor now) {
        Map<String, ColumnDescriptor> old = new LinkedHashMap<>();
        before.columns().forEach(c -> old.put(c.name(), c));
        List<String> added = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        for (ColumnDescriptor c : now.columns()) {
            ColumnDescriptor was = old.remove(c.name());
            if (was == null) {
                added.add(c.name());
            } else if (was.typeOid() != c.typeOid() || was.typmod() != c.typmod()) {
                retyped.add(c.name());
            }
        }
        List<String> dropped = List.copyOf(old.keySet());
        if (added.isEmpty() && dropped.isEmpty() && retyped.isEmpty() && before.table().equals(now.table())) {
            return null;
        }
        return new CaptureEvent.SchemaChange(now.table(), before.table(), added, dropped, retyped);
    }
}
