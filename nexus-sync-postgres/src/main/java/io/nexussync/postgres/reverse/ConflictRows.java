package io.nexussync.postgres.reverse;

import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.ConflictRecord.Side;
import io.nexussync.core.verify.EntityKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rows of {@code nexus_sync.conflict_log} (V5): written by the reverse applier in its transaction, read and resolved by
 * {@link PgConflictLog}. The entity key is stored as a person reads it ({@link EntityKeys#display}: a relationship's
 * pair holds a NUL, which PostgreSQL's text cannot) and read back as the key itself.
 */
final class ConflictRows {
    static final String TABLE = "nexus_sync.conflict_log";
    static final String COLUMNS = "id, detected_at, table_name, entity_key, entity, kind, property, rule, decision, status, "
            + "postgres_pg_version, postgres_neo4j_version, graph_pg_version, graph_neo4j_version, postgres_value, graph_value, "
            + "postgres_committed_at, graph_committed_at, outbox_seq, reason, resolved_by, resolved_at, resolution";

    /** A conflict to log, with the graph's value as its column's type reads it (null: not known, or none). */
    record Pending(ConflictRecord record, String graphValueCast) {}

    private ConflictRows() {}

    /** Writes them in one round trip; a waiting decision opens the conflict for a person. */
    static void insert(Connection c, List<Pending> conflicts) throws SQLException {
        if (conflicts.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (table_name, entity_key, row_key, entity, kind, property, rule, "
                + "decision, status, postgres_pg_version, postgres_neo4j_version, graph_pg_version, graph_neo4j_version, postgres_value, "
                + "graph_value, graph_value_cast, postgres_committed_at, graph_committed_at, outbox_seq, reason) "
                + "VALUES (?, ?, jsonb_object(CAST(? AS text[]), CAST(? AS text[])), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Pending pending : conflicts) {
                ConflictRecord r = pending.record();
                int i = 1;
                ps.setString(i++, r.row().table().toString());
                ps.setString(i++, EntityKeys.display(r.row().entityKey()));
                List<Object> columns = new ArrayList<>();
                List<Object> values = new ArrayList<>();
                for (Map.Entry<String, Object> key : r.row().key().entrySet()) {
                    columns.add(key.getKey());
                    values.add(key.getValue() == null ? null : String.valueOf(key.getValue()));
                }
                ps.setArray(i++, c.createArrayOf("text", columns.toArray()));
                ps.setArray(i++, c.createArrayOf("text", values.toArray()));
                ps.setString(i++, r.entity());
                ps.setString(i++, r.kind().spelling());
                ps.setString(i++, r.property());
                ps.setString(i++, r.rule().spelling());
                ps.setString(i++, r.decision().spelling());
                ps.setString(i++, r.decision() == Side.WAITING ? "open" : "settled");
                setLong(ps, i++, r.rowPgVersion());
                setLong(ps, i++, r.rowGraphVersion());
                setLong(ps, i++, r.basePgVersion());
                setLong(ps, i++, r.graphVersion());
                ps.setString(i++, r.postgresValue());
                ps.setString(i++, r.graphValue());
                ps.setString(i++, pending.graphValueCast());
                setInstant(ps, i++, r.postgresCommittedAt());
                setInstant(ps, i++, r.graphCommittedAt());
                ps.setLong(i++, r.outboxSeq());
                ps.setString(i, r.reason());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static LoggedConflict logged(ResultSet rs) throws SQLException {
        return new LoggedConflict(rs.getLong("id"), instant(rs, "detected_at"), rs.getString("table_name"),
                EntityKeys.parseDisplayed(rs.getString("entity_key")), rs.getString("entity"), rs.getString("kind"), rs.getString("property"),
                rs.getString("rule"), rs.getString("decision"), rs.getString("status"), longOrNull(rs, "postgres_pg_version"),
                longOrNull(rs, "postgres_neo4j_version"), longOrNull(rs, "graph_pg_version"), longOrNull(rs, "graph_neo4j_version"),
                rs.getString("postgres_value"), rs.getString("graph_value"), instant(rs, "postgres_committed_at"),
                instant(rs, "graph_committed_at"), rs.getLong("outbox_seq"), rs.getString("reason"), rs.getString("resolved_by"),
                instant(rs, "resolved_at"), rs.getString("resolution"));
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }
}
