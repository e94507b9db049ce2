package io.nexussync.testkit.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pgoutput protocol-1 messages (and protocol 3's prepared-transaction messages) byte by byte, the way the walsender lays them out: for the decoder's unit tests
 * and the benchmarks' streams. Times are written as they travel, in microseconds since PostgreSQL's epoch
 * (2000-01-01); {@link #POSTGRES_EPOCH_MICROS} converts from the Unix epoch.
 */
public final class PgOutputMessages {
    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
    public static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private PgOutputMessages() {}

    /** A message of the given kind ('B', 'R', 'I', ...), its body written with the chained calls. */
    public static PgOutputMessages kind(char kind) {
        return new PgOutputMessages().int8(kind);
    }

    public PgOutputMessages int8(int v) {
        out.write(v);
        return this;
    }

    public PgOutputMessages int16(int v) {
        return int8(v >>> 8).int8(v);
    }

    public PgOutputMessages int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    public PgOutputMessages int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    /** A NUL-terminated UTF-8 string. */
    public PgOutputMessages string(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return int8(0);
    }

    public PgOutputMessages bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public PgOutputMessages tuple(Tuple tuple) {
        return bytes(tuple.toBytes());
    }

    /** The message in a heap buffer whose {@link ByteBuffer#array()} is the whole message. */
    public ByteBuffer build() {
        return ByteBuffer.wrap(out.toByteArray());
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }

    /** @param commitMicros microseconds since PostgreSQL's epoch, as on the wire */
    public static ByteBuffer begin(long finalLsn, long commitMicros, int xid) {
        return kind('B').int64(finalLsn).int64(commitMicros).int32(xid).build();
    }

    /** @param commitMicros microseconds since PostgreSQL's epoch, as on the wire */
    public static ByteBuffer commit(long commitLsn, long endLsn, long commitMicros) {
        return kind('C').int8(0).int64(commitLsn).int64(endLsn).int64(commitMicros).build();
    }

    /**
     * 'b', protocol 3: the start of a prepared transaction.
     *
     * @param prepareMicros microseconds since PostgreSQL's epoch, as on the wire
     */
    public static ByteBuffer beginPrepare(long prepareLsn, long endLsn, long prepareMicros, int xid, String gid) {
        return kind('b').int64(prepareLsn).int64(endLsn).int64(prepareMicros).int32(xid).string(gid).build();
    }

    /**
     * 'P', protocol 3: PREPARE TRANSACTION, after the transaction's changes.
     *
     * @param prepareMicros microseconds since PostgreSQL's epoch, as on the wire
     */
    public static ByteBuffer prepare(long prepareLsn, long endLsn, long prepareMicros, int xid, String gid) {
        return kind('P').int8(0).int64(prepareLsn).int64(endLsn).int64(prepareMicros).int32(xid).string(gid).build();
    }

    /**
     * 'K', protocol 3: COMMIT PREPARED.
     *
     * @param commitMicros microseconds since PostgreSQL's epoch, as on the wire
     */
    public static ByteBuffer commitPrepared(long commitLsn, long endLsn, long commitMicros, int xid, String gid) {
        return kind('K').int8(0).int64(commitLsn).int64(endLsn).int64(commitMicros).int32(xid).string(gid).build();
    }

    /**
     * 'r', protocol 3: ROLLBACK PREPARED.
     *
     * @param prepareEndLsn the end of the PREPARE record rolled back
     * @param endLsn        the end of the ROLLBACK PREPARED record
     */
    public static ByteBuffer rollbackPrepared(long prepareEndLsn, long endLsn, long prepareMicros, long rollbackMicros, int xid, String gid) {
        return kind('r').int8(0).int64(prepareEndLsn).int64(endLsn).int64(prepareMicros).int64(rollbackMicros).int32(xid).string(gid).build();
    }

    public static ByteBuffer origin(long lsn, String name) {
        return kind('O').int64(lsn).string(name).build();
    }

    public static ByteBuffer type(int oid, String namespace, String name) {
        return kind('Y').int32(oid).string(namespace).string(name).build();
    }

    public static ByteBuffer truncate(int options, int... relationIds) {
        PgOutputMessages m = kind('T').int32(relationIds.length).int8(options);
        for (int id : relationIds) {
            m.int32(id);
        }
        return m.build();
    }

    public static ByteBuffer message(boolean transactional, long lsn, String prefix, byte[] content) {
        return kind('M').int8(transactional ? 1 : 0).int64(lsn).string(prefix).int32(content.length).bytes(content).build();
    }

    /** An Insert of a new row ('N'). */
    public static ByteBuffer insert(int relationId, Tuple row) {
        return kind('I').int32(relationId).int8('N').tuple(row).build();
    }

    /** An update whose key did not change: no old tuple, as PostgreSQL sends it under the default replica identity. */
    public static ByteBuffer update(int relationId, Tuple row) {
        return kind('U').int32(relationId).int8('N').tuple(row).build();
    }

    /** A delete with the key columns only ('K'); the other columns are placeholder nulls. */
    public static ByteBuffer delete(int relationId, Tuple key) {
        return kind('D').int32(relationId).int8('K').tuple(key).build();
    }

    /** A Relation message, columns added one by one; {@code replicaIdentity} 'd' is the default (the primary key). */
    public static RelationBuilder relation(int id, String namespace, String name, char replicaIdentity) {
        return new RelationBuilder(id, namespace, name, replicaIdentity);
    }

    public static Tuple tuple() {
        return new Tuple();
    }

    /** A column of a Relation message, with no type modifier. */
    public record Column(String name, int typeOid, boolean key) {}

    /** A Relation message, columns added one by one. */
    public static final class RelationBuilder {
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

        public RelationBuilder key(String column, int typeOid) {
            columns.add(new Object[] {1, column, typeOid, -1});
            return this;
        }

        public RelationBuilder column(String column, int typeOid) {
            return column(column, typeOid, -1);
        }

        public RelationBuilder column(String column, int typeOid, int typmod) {
            columns.add(new Object[] {0, column, typeOid, typmod});
            return this;
        }

        public RelationBuilder columns(List<Column> described) {
            for (Column c : described) {
                if (c.key()) {
                    key(c.name(), c.typeOid());
                } else {
                    column(c.name(), c.typeOid());
                }
            }
            return this;
        }

        public ByteBuffer build() {
            PgOutputMessages m = kind('R').int32(id).string(namespace).string(name).int8(replicaIdentity).int16(columns.size());
            for (Object[] c : columns) {
                m.int8((Integer) c[0]).string((String) c[1]).int32((Integer) c[2]).int32((Integer) c[3]);
            }
            return m.build();
        }
    }

    /** TupleData: the column count, then one value per column. */
    public static final class Tuple {
        private final List<byte[]> values = new ArrayList<>();

        /** A text value; null writes a null ('n'), as PostgreSQL sends a NULL column. */
        public Tuple text(String value) {
            if (value == null) {
                return nul();
            }
            byte[] raw = value.getBytes(StandardCharsets.UTF_8);
            return add(new PgOutputMessages().int8('t').int32(raw.length).bytes(raw).toBytes());
        }

        public Tuple binary(byte[] value) {
            return add(new PgOutputMessages().int8('b').int32(value.length).bytes(value).toBytes());
        }

        public Tuple nul() {
            return add(new byte[] {'n'});
        }

        /** A TOASTed value the update did not touch ('u'). */
        public Tuple unchangedToast() {
            return add(new byte[] {'u'});
        }

        private Tuple add(byte[] value) {
            values.add(value);
            return this;
        }

        public byte[] toBytes() {
            PgOutputMessages m = new PgOutputMessages().int16(values.size());
            values.forEach(m::bytes);
            return m.toBytes();
        }
    }
}
