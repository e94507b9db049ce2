package io.nexussync.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pgoutput protocol-1 messages byte by byte, as the walsender lays them out (the same layout
 * as the decoder's unit-test fixtures in nexus-sync-postgres, which no other module can see).
 */
final class PgOutputWire {
    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
    static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private PgOutputWire() {}

    static PgOutputWire kind(char kind) {
        return new PgOutputWire().int8(kind);
    }

    PgOutputWire int8(int v) {
        out.write(v);
        return this;
    }

    PgOutputWire int16(int v) {
        return int8(v >>> 8).int8(v);
    }

    PgOutputWire int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    PgOutputWire int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    PgOutputWire string(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return int8(0);
    }

    PgOutputWire bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    ByteBuffer build() {
        return ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer();
    }

    /** @param commitMicros microseconds since the Unix epoch (written as PostgreSQL's, since 2000-01-01) */
    static ByteBuffer begin(long finalLsn, long commitMicros, int xid) {
        return kind('B').int64(finalLsn).int64(commitMicros - POSTGRES_EPOCH_MICROS).int32(xid).build();
    }

    static ByteBuffer commit(long commitLsn, long endLsn, long commitMicros) {
        return kind('C').int8(0).int64(commitLsn).int64(endLsn).int64(commitMicros - POSTGRES_EPOCH_MICROS).build();
    }

    /** A column of a Relation message. */
    record Column(String name, int typeOid, boolean key) {}

    static ByteBuffer relation(int id, String namespace, String name, List<Column> columns) {
        // replica identity 'd' (default: the primary key)
        PgOutputWire m = kind('R').int32(id).string(namespace).string(name).int8('d').int16(columns.size());
        for (Column c : columns) {
            m.int8(c.key() ? 1 : 0).string(c.name()).int32(c.typeOid()).int32(-1);
        }
        return m.build();
    }

    static ByteBuffer insert(int relationId, Tuple row) {
        return kind('I').int32(relationId).int8('N').bytes(row.toBytes()).build();
    }

    /** An update whose key did not change: no old tuple, as PostgreSQL sends it under the default replica identity. */
    static ByteBuffer update(int relationId, Tuple row) {
        return kind('U').int32(relationId).int8('N').bytes(row.toBytes()).build();
    }

    /** A delete with the key columns only ('K'); the other columns are placeholder nulls. */
    static ByteBuffer delete(int relationId, Tuple key) {
        return kind('D').int32(relationId).int8('K').bytes(key.toBytes()).build();
    }

    /** TupleData: the column count, then one value per column. */
    static final class Tuple {
        private final List<byte[]> values = new ArrayList<>();

        Tuple text(String value) {
            if (value == null) {
                return nul();
            }
            byte[] raw = value.getBytes(StandardCharsets.UTF_8);
            values.add(new PgOutputWire().int8('t').int32(raw.length).bytes(raw).out.toByteArray());
            return this;
        }

        Tuple nul() {
            values.add(new byte[] {'n'});
            return this;
        }

        Tuple unchangedToast() {
            values.add(new byte[] {'u'});
            return this;
        }

        byte[] toBytes() {
            PgOutputWire m = new PgOutputWire().int16(values.size());
            values.forEach(m::bytes);
            return m.out.toByteArray();
        }
    }
}
