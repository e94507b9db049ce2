package io.nexussync.postgres.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes pgoutput protocol-1 messages byte by byte, the way the walsender lays them out. */
final class PgOutputMessages {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PgOutputMessages kind(char kind) {
        return new PgOutputMessages().int8(kind);
    }

    PgOutputMessages int8(int v) {
        out.write(v);
        return this;
    }

    PgOutputMessages int16(int v) {
        return int8(v >>> 8).int8(v);
    }

    PgOutputMessages int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    PgOutputMessages int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    PgOutputMessages string(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return int8(0);
    }

    PgOutputMessages bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    PgOutputMessages tuple(Tuple tuple) {
        return bytes(tuple.toBytes());
    }

    ByteBuffer build() {
        return ByteBuffer.wrap(out.toByteArray());
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    static ByteBuffer begin(long finalLsn, long commitMicros, int xid) {
        return kind('B').int64(finalLsn).int64(commitMicros).int32(xid).build();
    }

    static ByteBuffer commit(long commitLsn, long endLsn, long commitMicros) {
        return kind('C').int8(0).int64(commitLsn).int64(endLsn).int64(commitMicros).build();
    }

    static ByteBuffer origin(long lsn, String name) {
        return kind('O').int64(lsn).string(name).build();
    }

    static ByteBuffer type(int oid, String namespace, String name) {
        return kind('Y').int32(oid).string(namespace).string(name).build();
    }

    static ByteBuffer truncate(int options, int... relationIds) {
        PgOutputMessages m = kind('T').int32(relationIds.length).int8(options);
        for (int id : relationIds) {
            m.int32(id);
        }
        return m.build();
    }

    static ByteBuffer message(boolean transactional, long lsn, String prefix, byte[] content) {
        return kind('M').int8(transactional ? 1 : 0).int64(lsn).string(prefix).int32(content.length).bytes(content).build();
    }

    static RelationBuilder relation(int id, String namespace, String name, char replicaIdentity) {
        return new RelationBuilder(id, namespace, name, replicaIdentity);
    }

    static Tuple tuple() {
        return new Tuple();
    }

    /** A Relation message, columns added one by one. */
    static final class RelationBuilder {
        private final int id;
        private final String namespace;
        private final String name;
        private final char replicaIdentity;
        private final List<Object[]> columns = new ArrayList<>();

        private RelationBuilder(int id, String namespace, String name, char replicaIdentity) {
            this.id = id;
            this.namespace = namespace;
            this.name = name;
            this.replicaIdentity = replicaIdentity;
        }

        RelationBuilder key(String column, int typeOid) {
            columns.add(new Object[] {1, column, typeOid, -1});
            return this;
        }

        RelationBuilder column(String column, int typeOid) {
            return column(column, typeOid, -1);
        }

        RelationBuilder column(String column, int typeOid, int typmod) {
            columns.add(new Object[] {0, column, typeOid, typmod});
            return this;
        }

        ByteBuffer build() {
            PgOutputMessages m = kind('R').int32(id).string(namespace).string(name).int8(replicaIdentity).int16(columns.size());
            for (Object[] c : columns) {
                m.int8((Integer) c[0]).string((String) c[1]).int32((Integer) c[2]).int32((Integer) c[3]);
            }
            return m.build();
        }
    }

    /** TupleData: the column count, then one value per column. */
    static final class Tuple {
        private final List<byte[]> values = new ArrayList<>();

        Tuple text(String value) {
            byte[] raw = value.getBytes(StandardCharsets.UTF_8);
            return add(new PgOutputMessages().int8('t').int32(raw.length).bytes(raw).toBytes());
        }

        Tuple binary(byte[] value) {
            return add(new PgOutputMessages().int8('b').int32(value.length).bytes(value).toBytes());
        }

        Tuple nul() {
            return add(new byte[] {'n'});
        }

        Tuple unchangedToast() {
            return add(new byte[] {'u'});
        }

        private Tuple add(byte[] value) {
            values.add(value);
            return this;
        }

        byte[] toBytes() {
            PgOutputMessages m = new PgOutputMessages().int16(values.size());
            values.forEach(m::bytes);
            return m.toBytes();
        }
    }
}
