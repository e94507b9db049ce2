package io.nexussync.postgres.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.acknowledge.LoggedEntity;
import io.nexussync.core.deadletter.DeadLetter;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nexus_sync.dead_letter} as the pipeline writes it, with the default compensation in the same
 * transaction: the row is marked {@code sync_status = 'failed'} in {@code nexus_sync.sync_status}, the
 * transaction log says so, and an ERROR line alerts. For the tables configured to revert refused changes,
 * the change is then undone in PostgreSQL in that transaction too ({@link RowRevert}). One row per stream
 * position, so recording a change again after a crash changes nothing (and reverts nothing again).
 */
public final class PgDeadLetterStore implements DeadLetterStore {
    private static final Logger log = LoggerFactory.getLogger(PgDeadLetterStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Graph keys hold NUL separators, which PostgreSQL text cannot: stored with the unit separator instead. */
    private static final char NUL = '\u0000';
    private static final char UNIT_SEPARATOR = '\u001f';

    private final PgConnectionSource connections;
    private final PgSettings settings;
    /**
     * Whose dead letters these are (the {@code slot} column): the replication slot for {@code run}, {@code kafka:<group>}
     * for an apply role's consumer group. Positions are unique and entities parked within one.
     */
    private final String stream;
    private final Set<TableId> revertRefused;
    private final RowRevert revert;
    private final PrimaryKeys primaryKeys = new PrimaryKeys();
    /** Names the entity in the graph in the log's rows; null: only the table and key are known. */
    private final Mapping mapping;

    public PgDeadLetterStore(PgConnectionSource connections) {
        this(connections, Set.of(), null);
    }

    /**
     * @param revertRefused tables whose refused changes are compensated in PostgreSQL: an INSERT deleted, an UPDATE's
     *                      previous row restored, a DELETE's row inserted again (see {@link RowRevert})
     * @param mapping       names the columns the service writes itself in those tables (null: none known, every column
     *                      must be as the refused change left it)
     */
    public PgDeadLetterStore(PgConnectionSource connections, Set<TableId> revertRefused, Mapping mapping) {
        this(connections, revertRefused, mapping, connections.settings().slot());
    }

    private PgDeadLetterStore(PgConnectionSource connections, Set<TableId> revertRefused, Mapping mapping, String stream) {
        this.stream = stream;
        this.connections = connections;
        this.settings = connections.settings();
        this.revertRefused = Set.copyOf(revertRefused);
        Map<TableId, Set<String>> serviceColumns = new HashMap<>();
        Map<TableId, Set<String>> versionColumns = new HashMap<>();
        if (mapping != null) {
            for (NodeMapping node : mapping.nodes()) {
                Stream.of(node.crossReferenceColumn(), node.graphVersionColumn()).filter(Objects::nonNull)
                        .forEach(column -> serviceColumns.computeIfAbsent(node.table(), t -> new HashSet<>()).add(column));
                if (node.versionColumn() != null) {
                    versionColumns.computeIfAbsent(node.table(), t -> new HashSet<>()).add(node.versionColumn());
                }
            }
            for (RelationshipMapping relationship : mapping.relationships()) {
                if (relationship.versionColumn() != null) {
                    versionColumns.computeIfAbsent(relationship.table(), t -> new HashSet<>()).add(relationship.versionColumn());
                }
            }
        }
        this.revert = new RowRevert(serviceColumns, versionColumns);
        this.mapping = mapping;
    }

    /** The stream name of consumer group {@code group}'s dead letters (their {@code slot} column). */
    public static String kafkaStream(String group, boolean debezium) {
        return (debezium ? DEBEZIUM_STREAM : KAFKA_STREAM) + group;
    }

    /** The {@code slot} column's prefix of the dead letters an apply role recorded from nexus-sync's own change topic. */
    public static final String KAFKA_STREAM = "kafka:";
    /** ... and from a Debezium topic, where nothing carries a retry's rows to apply. */
    public static final String DEBEZIUM_STREAM = "kafka-debezium:";

    /**
     * The same table and compensation for the apply role's consumer group {@code group}: its dead letters, their parked
     * entities and their positions are its own ({@link #kafkaStream}), and each names where it was consumed.
     */
    public PgDeadLetterStore forConsumerGroup(String group, boolean debezium) {
        return new PgDeadLetterStore(connections, revertRefused, mapping, kafkaStream(group, debezium));
    }

    @Override
    public synchronized long record(DeadLetter letter) {
        try (Connection c = connections.connection()) {
            c.setAutoCommit(false);
            try {
                long id = insert(c, letter);
                c.commit();
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PgErrors.translate("recording a dead letter", settings, e);
        }
    }

    private long insert(Connection c, DeadLetter letter) throws SQLException {
        RowChange change = letter.change();
        TableId table = RowChange.tableOf(change);
        if (table == null) {
            table = ((RowChange.Truncate) change).tables().get(0);
        }
        Map<String, String> key = PrimaryKeys.keyOf(primaryKeys.of(c, table), RowChange.valuesOf(change));
        String entityKey = PrimaryKeys.describe(key);
        Long id = null;
        // A change parked behind a head a person has already released takes the head's status: nothing waits for it.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.dead_letter (slot, tx_lsn, tx_index, lsn, table_name, "
                + "entity_key, row_key, operation, change_data, error, status, entities, behind, kafka_group, kafka_topic, kafka_partition, "
                + "kafka_offset) VALUES (?, ?::pg_lsn, ?, ?::pg_lsn, ?, ?, ?::jsonb, ?, ?, ?, "
                + "coalesce((SELECT CASE status WHEN 'open' THEN NULL ELSE status END FROM nexus_sync.dead_letter WHERE id = ?), ?), ?, ?, "
                + "?, ?, ?, ?) ON CONFLICT (slot, tx_lsn, tx_index) DO NOTHING RETURNING id")) {
            ps.setString(1, stream);
            ps.setString(2, letter.position().tx().toString());
            ps.setLong(3, letter.position().index());
            ps.setString(4, letter.position().tx().toString());
            ps.setString(5, table.toString());
            ps.setString(6, entityKey);
            ps.setString(7, JSON.writeValueAsString(key));
            ps.setString(8, ChangeJson.operation(change));
            ps.setString(9, ChangeJson.of(change));
            ps.setString(10, letter.error());
            ps.setLong(11, letter.behind());
            ps.setString(12, letter.isHead() ? "open" : "parked");
            ps.setArray(13, c.createArrayOf("text", letter.entities().stream().map(e -> e.replace(NUL, UNIT_SEPARATOR)).toArray()));
            if (letter.isHead()) {
                ps.setNull(14, java.sql.Types.BIGINT);
            } else {
                ps.setLong(14, letter.behind());
            }
            var at = letter.consumedAt();
            ps.setString(15, at == null ? null : at.group());
            ps.setString(16, at == null ? null : at.topic());
            if (at == null) {
                ps.setNull(17, java.sql.Types.INTEGER);
                ps.setNull(18, java.sql.Types.BIGINT);
            } else {
                ps.setInt(17, at.partition());
                ps.setLong(18, at.offset());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    id = rs.getLong(1);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (id == null) {
            return existing(c, letter.position());
        }
        compensate(c, table, entityKey, key.values(), id, letter);
        if (letter.isHead() && revertRefused.contains(table)) {
            revert.revert(c, id, change, table, key, entityKey);
        }
        return id;
    }

    /** The default compensation: the row is marked failed where applications and people can see it, and logged. */
    private void compensate(Connection c, TableId table, String entityKey, java.util.Collection<String> keyValues, long id, DeadLetter letter)
            throws SQLException {
        long head = letter.isHead() ? id : letter.behind();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.sync_status (table_name, entity_key, sync_status, dead_letter_id) "
                + "VALUES (?, ?, 'failed', ?) ON CONFLICT (table_name, entity_key) DO UPDATE "
                + "SET sync_status = 'failed', dead_letter_id = EXCLUDED.dead_letter_id, updated_at = now()")) {
            ps.setString(1, table.toString());
            ps.setString(2, entityKey);
            ps.setLong(3, head);
            ps.executeUpdate();
        }
        // The entity in both systems and the change as the graph would have had it (no PG-only column, bounded), as every
        // per-entity row of the log names them; retry_count 0: a refusal is not retried, a person retries it (dlq retry).
        LoggedEntity entity = LoggedEntity.of(mapping, letter.change());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.transaction_log (kind, status, operation, entity_pg, "
                + "entity_neo4j, change_data, error, entity_table, entity_key, graph_label, graph_id, element_id, retry_count, dead_letter_id) "
                + "VALUES ('operation', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")) {
            ps.setString(1, letter.isHead() ? "dead-lettered" : "parked");
            ps.setString(2, entity.operation());
            ps.setString(3, table + " " + entityKey);
            ps.setString(4, String.join(", ", letter.entities().stream().map(e -> e.replace(NUL, ' ')).toList()));
            ps.setString(5, entity.change());
            ps.setString(6, letter.isHead() ? letter.error() : "waits behind dead letter #" + head);
            ps.setString(7, entity.table());
            ps.setString(8, entity.key() != null ? entity.key() : String.join(",", keyValues));
            ps.setString(9, entity.graphType());
            ps.setString(10, entity.graphId());
            ps.setString(11, entity.elementId());
            ps.setLong(12, id);
            ps.executeUpdate();
        }
        if (letter.isHead()) {
            log.error("ALERT {} {} is marked sync_status='failed': the graph refused its {} (dead letter #{}{}, nexus-sync dlq show {}): {}",
                    table, entityKey, ChangeJson.operation(letter.change()), id,
                    letter.consumedAt() == null ? "" : ", consumed at " + letter.consumedAt(), id, letter.error());
        }
    }

    /**
     * The head the change recorded at {@code position} waits behind: the row's own id when it is a head, else its
     * {@code behind}. A replay must park the entity behind that head whatever it is recorded as this time: a parked
     * row is never a head, so entities parked behind its id would wait for a retry that can never come.
     */
    private long existing(Connection c, Position position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(behind, id) FROM nexus_sync.dead_letter WHERE slot = ? AND tx_lsn = ?::pg_lsn AND tx_index = ?")) {
            ps.setString(1, stream);
            ps.setString(2, position.tx().toString());
            ps.setLong(3, position.index());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw SyncException.persistent("dead letter at " + position + " was neither inserted nor found", null);
                }
                return rs.getLong(1);
            }
        }
    }

    @Override
    public Map<String, Parked> parkedEntities() {
        Map<String, Parked> parked = new HashMap<>();
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement("SELECT id, behind, tx_lsn::text, tx_index, entities "
                + "FROM nexus_sync.dead_letter WHERE slot = ? AND status IN ('open', 'parked') ORDER BY id")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long behind = rs.getLong(2);
                    long head = rs.wasNull() ? rs.getLong(1) : behind;
                    Position from = new Position(Lsn.valueOf(rs.getString(3)), rs.getLong(4));
                    Array entities = rs.getArray(5);
                    for (Object entity : entities == null ? new Object[0] : (Object[]) entities.getArray()) {
                        parked.putIfAbsent(((String) entity).replace(UNIT_SEPARATOR, NUL), new Parked(head, from));
                    }
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading the open dead letters", settings, e);
        }
        if (!parked.isEmpty()) {
            log.warn("{} entities wait behind open dead letters (nexus-sync dlq list)", parked.size());
        }
        return parked;
    }

}
