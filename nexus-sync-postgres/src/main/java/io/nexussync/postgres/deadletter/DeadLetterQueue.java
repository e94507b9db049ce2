package io.nexussync.postgres.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.SqlNames;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a person does with dead letters ({@code nexus-sync dlq}, and {@code /dlq} on the admin API): list,
 * show, retry, skip. A retry or skip is one PostgreSQL transaction that marks the dead letter and the
 * changes parked behind it, writes who did it and why to the transaction log, and puts a release message
 * into the WAL; a retry also reads each of their rows as they are now (locked against concurrent updates
 * until the transaction commits), so the message carries exactly the state that the stream continues from.
 * The service need not be running: the release waits in the slot.
 */
public final class DeadLetterQueue {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dead letter as listed. {@code behind}: the head it is parked behind (0 for a head). */
    public record Entry(long id, String createdAt, String table, String entityKey, String operation, String status, long behind,
                        String error, String change, String position, List<String> entities, String releasedBy, String releaseReason,
                        String resolvedAt) {}

    /** What a retry or skip did. */
    public record Release(long headId, String action, int deadLetters, int rowsReRead, int rowsGone) {}

    private final PgConnectionSource connections;
    private final PgSettings settings;

    /** For a command: a connection of its own per call. */
    public DeadLetterQueue(PgSettings settings) {
        this(PgConnectionSource.direct(settings, "dlq"));
    }

    public DeadLetterQueue(PgConnectionSource connections) {
        this.connections = connections;
        this.settings = connections.settings();
    }

    /** @param status a status to list ({@code open}, {@code parked}, {@code retried}, {@code skipped}), or null for those that wait */
    public List<Entry> list(String status, int limit) {
        String where = status == null ? "status IN ('open', 'parked')" : "status = ?";
        // The apply role's (one set per consumer group) beside the slot's: one table, one queue to work through.
        return query("SELECT " + COLUMNS + " FROM nexus_sync.dead_letter WHERE (slot = ? OR slot IS NULL OR kafka_group IS NOT NULL) AND " + where
                + " ORDER BY id LIMIT ?", ps -> {
            ps.setString(1, settings.slot());
            int next = 2;
            if (status != null) {
                ps.setString(next++, status);
            }
            ps.setInt(next, limit);
        });
    }

    public Entry show(long id) {
        List<Entry> found = query("SELECT " + COLUMNS + " FROM nexus_sync.dead_letter WHERE id = ?", ps -> ps.setLong(1, id));
        if (found.isEmpty()) {
            throw SyncException.persistent("there is no dead letter #" + id + " (nexus-sync dlq list shows the open ones)", null);
        }
        return found.get(0);
    }

    /** The changes parked behind head {@code id}. */
    public List<Entry> parkedBehind(long id) {
        return query("SELECT " + COLUMNS + " FROM nexus_sync.dead_letter WHERE behind = ? ORDER BY id", ps -> ps.setLong(1, id));
    }

    public Release retry(long id, String actor, String reason) {
        return release(id, true, actor, reason);
    }

    public Release skip(long id, String actor, String reason) {
        if (reason == null || reason.isBlank()) {
            throw SyncException.persistent("a skip needs a reason (--reason \"...\"): it is recorded with the dead letter", null);
        }
        return release(id, false, actor, reason);
    }

    /** Retries every open head, oldest first, each in its own transaction. */
    public List<Release> retryAll(String actor, String reason) {
        List<Release> done = new ArrayList<>();
        for (Entry head : list("open", Integer.MAX_VALUE)) {
            done.add(retry(head.id(), actor, reason));
        }
        return done;
    }

    private Release release(long id, boolean retry, String actor, String reason) {
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            try {
                Release release = release(c, id, retry, actor, reason);
                c.commit();
                return release;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PgErrors.translate((retry ? "retrying" : "skipping") + " dead letter #" + id, settings, e);
        }
    }

    private Release release(Connection c, long id, boolean retry, String actor, String reason) throws SQLException {
        String status;
        long behind;
        String stream;
        try (PreparedStatement ps = c.prepareStatement("SELECT status, behind, slot FROM nexus_sync.dead_letter WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw SyncException.persistent("there is no dead letter #" + id + " (nexus-sync dlq list shows the open ones)", null);
                }
                status = rs.getString(1);
                behind = rs.getLong(2);
                stream = rs.getString(3);
            }
        }
        if (retry && stream != null && stream.startsWith(PgDeadLetterStore.DEBEZIUM_STREAM)) {
            // A retry's rows travel in the WAL to nexus-sync's capture role, which publishes them; Debezium does not.
            throw SyncException.persistent("dead letter #" + id + " was recorded by apply --format debezium, where a retry cannot reach "
                    + "the graph (Debezium does not carry the rows a retry re-reads): change the row in PostgreSQL so that Debezium carries "
                    + "its current state, then skip #" + id + " (nexus-sync dlq skip " + id + " --reason \"...\")", null);
        }
        if ("parked".equals(status)) {
            throw SyncException.persistent("dead letter #" + id + " waits behind #" + behind + ": retry or skip #" + behind
                    + ", which releases this one with it", null);
        }
        if (!"open".equals(status)) {
            throw SyncException.persistent("dead letter #" + id + " is already " + status + "; only open ones can be retried or skipped", null);
        }
        List<Entry> group = new ArrayList<>();
        group.add(show(c, id));
        group.addAll(query(c, "SELECT " + COLUMNS + " FROM nexus_sync.dead_letter WHERE behind = ? AND status = 'parked' ORDER BY id FOR UPDATE",
                ps -> ps.setLong(1, id)));
        List<ReleaseMessage.Row> rows = new ArrayList<>();
        int gone = 0;
        if (retry) {
            for (RowRef ref : distinctRows(c, group)) {
                ReleaseMessage.Row row = readRow(c, ref);
                rows.add(row);
                gone += row.present() ? 0 : 1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            ps.setString(1, ReleaseMessage.PREFIX);
            ps.setString(2, ReleaseMessage.encode(id, retry, rows));
            ps.execute();
        }
        String action = retry ? "retried" : "skipped";
        // The log's rows of the dead letter and of the changes parked behind it follow it: a retry is one more attempt.
        try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.transaction_log SET status = ?, retry_count = coalesce(retry_count, 0) + ?, "
                + "actor = ?, reason = ? WHERE dead_letter_id IN (SELECT id FROM nexus_sync.dead_letter WHERE id = ? OR (behind = ? AND status = 'parked'))")) {
            ps.setString(1, action);
            ps.setInt(2, retry ? 1 : 0);
            ps.setString(3, actor);
            ps.setString(4, reason);
            ps.setLong(5, id);
            ps.setLong(6, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.dead_letter SET status = ?, resolved_at = now(), resolution = ?, "
                + "released_by = ?, release_reason = ? WHERE id = ? OR (behind = ? AND status = 'parked')")) {
            ps.setString(1, action);
            ps.setString(2, retry ? "retried with the row as it was at the retry" : "skipped: the graph keeps what it had");
            ps.setString(3, actor);
            ps.setString(4, reason);
            ps.setLong(5, id);
            ps.setLong(6, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.sync_status SET sync_status = ?, updated_at = now() "
                + "WHERE dead_letter_id = ?")) {
            ps.setString(1, action);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.transaction_log (kind, status, operation, entity_pg, "
                + "change_data, actor, reason) VALUES ('operation', 'requested', ?, ?, ?, ?, ?)")) {
            ps.setString(1, retry ? "dlq retry" : "dlq skip");
            ps.setString(2, "dead letter #" + id + " (" + group.get(0).table() + " " + group.get(0).entityKey() + ")"
                    + (group.size() > 1 ? " and " + (group.size() - 1) + " changes parked behind it" : ""));
            ps.setString(3, retry ? rows.size() + " rows re-read, " + gone + " of them gone" : null);
            ps.setString(4, actor);
            ps.setString(5, reason);
            ps.executeUpdate();
        }
        return new Release(id, action, group.size(), rows.size(), gone);
    }

    private record RowRef(TableId table, Map<String, String> key) {}

    private static Set<RowRef> distinctRows(Connection c, List<Entry> group) throws SQLException {
        Set<RowRef> rows = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, row_key::text FROM nexus_sync.dead_letter WHERE id = ?")) {
            for (Entry entry : group) {
                ps.setLong(1, entry.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(2) != null) {
                        rows.add(new RowRef(TableId.parse(rs.getString(1)), parseKey(rs.getString(2))));
                    }
                }
            }
        }
        return rows;
    }

    private static Map<String, String> parseKey(String json) {
        try {
            Map<String, String> key = new LinkedHashMap<>();
            JsonNode node = JSON.readTree(json);
            node.fields().forEachRemaining(f -> key.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("a dead letter's row key does not parse: " + json, e);
        }
    }

    /** The row as it is now, locked until the release commits: every column as text, or the key alone when it is gone. */
    private static ReleaseMessage.Row readRow(Connection c, RowRef ref) throws SQLException {
        List<RowLocator.Column> cols = RowLocator.columns(c, ref.table());
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < cols.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(SqlNames.quote(cols.get(i).name())).append("::text");
        }
        sql.append(" FROM ").append(SqlNames.quote(ref.table())).append(" WHERE ").append(RowLocator.where(ref.table(), cols, ref.key()))
                .append(" FOR SHARE");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            RowLocator.bind(ps, ref.key(), 1);
            try (ResultSet rs = ps.executeQuery()) {
                List<ReleaseMessage.Column> columns = new ArrayList<>();
                if (rs.next()) {
                    for (int k = 0; k < cols.size(); k++) {
                        columns.add(new ReleaseMessage.Column(cols.get(k).name(), cols.get(k).typeOid(), rs.getString(k + 1)));
                    }
                    return new ReleaseMessage.Row(ref.table(), true, columns);
                }
                for (String name : ref.key().keySet()) {
                    RowLocator.Column col = cols.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
                    columns.add(new ReleaseMessage.Column(col.name(), col.typeOid(), ref.key().get(col.name())));
                }
                return new ReleaseMessage.Row(ref.table(), false, columns);
            }
        }
    }

    private static final String COLUMNS = "id, created_at, table_name, entity_key, operation, status, coalesce(behind, 0), error, "
            + "change_data, tx_lsn::text || '#' || tx_index || coalesce(' consumed at ' || kafka_topic || '-' || kafka_partition || '@' "
            + "|| kafka_offset || ' (group ' || kafka_group || ')', ''), entities, released_by, release_reason, resolved_at";

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Entry> query(String sql, Binder binder) {
        try (Connection c = connections.connection()) {
            return query(c, sql, binder);
        } catch (SQLException e) {
            throw PgErrors.translate("reading nexus_sync.dead_letter", settings, e);
        }
    }

    private static Entry show(Connection c, long id) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM nexus_sync.dead_letter WHERE id = ?", ps -> ps.setLong(1, id)).get(0);
    }

    private static List<Entry> query(Connection c, String sql, Binder binder) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Array array = rs.getArray(11);
                    List<String> entities = new ArrayList<>();
                    if (array != null) {
                        for (Object e : (Object[]) array.getArray()) {
                            entities.add(readableEntity((String) e));
                        }
                    }
                    java.sql.Timestamp resolved = rs.getTimestamp(14);
                    entries.add(new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant().toString(), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getLong(7), rs.getString(8), rs.getString(9), rs.getString(10), entities, rs.getString(12),
                            rs.getString(13), resolved == null ? null : resolved.toInstant().toString()));
                }
            }
        }
        return entries;
    }

    /** "N␟ContentItem␟42" reads as "(:ContentItem 42)", a relationship key as "[:TAGGED a -> b]". */
    private static String readableEntity(String stored) {
        String[] parts = stored.split("\u001f");
        if (parts.length == 3 && parts[0].equals("N")) {
            return "(:" + parts[1] + " " + parts[2] + ")";
        }
        if (parts.length == 4 && parts[0].equals("R")) {
            return "[:" + parts[1] + " " + parts[2] + " -> " + parts[3] + "]";
        }
        return stored.replace('\u001f', ' ');
    }
}
