package io.nexussync.postgres.snapshot;

import io.nexussync.core.model.Lsn;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.TwoPhaseDecoding;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the slot on a replication connection, which exports the snapshot the slot starts from: a
 * transaction that imports it sees exactly the transactions committed before the slot's consistent
 * point. The export lives only while this connection stays idle, so it is held until the reader has
 * imported it.
 */
final class SlotSnapshot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SlotSnapshot.class);

    private final Connection connection;
    private final String snapshotName;
    private final Lsn consistentPoint;
    private final Instant readBefore;

    private SlotSnapshot(Connection connection, String snapshotName, Lsn consistentPoint, Instant readBefore) {
        this.connection = connection;
        this.snapshotName = snapshotName;
        this.consistentPoint = consistentPoint;
        this.readBefore = readBefore;
    }

    static SlotSnapshot create(PgSettings settings) throws SQLException {
        Connection connection = PgConnections.openReplication(settings);
        try {
            // The server's clock before the slot exists: every transaction the slot streams takes its commit
            // time after this, since one still running when the slot is created is waited for and lands in the view.
            Instant readBefore;
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
                rs.next();
                readBefore = rs.getObject(1, OffsetDateTime.class).toInstant();
            }
            SlotSnapshot created = TwoPhaseDecoding.supported(connection)
                    ? createWithTwoPhase(connection, settings.slot(), readBefore)
                    : createWithoutTwoPhase(connection, settings.slot(), readBefore);
            log.info("created replication slot {} at {} with snapshot {}", settings.slot(), created.consistentPoint, created.snapshotName);
            return created;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * PostgreSQL 15+: the slot decodes prepared transactions from its consistent point on (a transaction prepared
     * before it arrives whole at its COMMIT PREPARED). pgjdbc's builder has no such option, so the replication command
     * is sent as it is; slot names are lower-case letters, digits and underscores, so quoting is all it needs.
     */
    private static SlotSnapshot createWithTwoPhase(Connection connection, String slot, Instant readBefore) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("CREATE_REPLICATION_SLOT \"" + slot + "\" LOGICAL pgoutput (SNAPSHOT 'export', TWO_PHASE true)")) {
            rs.next();
            return new SlotSnapshot(connection, rs.getString("snapshot_name"), Lsn.valueOf(rs.getString("consistent_point")), readBefore);
        }
    }

    /** Before PostgreSQL 15 two-phase decoding needs a protocol pgoutput does not have: the slot is created as it always was. */
    private static SlotSnapshot createWithoutTwoPhase(Connection connection, String slot, Instant readBefore) throws SQLException {
        ReplicationSlotInfo created = connection.unwrap(PGConnection.class).getReplicationAPI()
                .createReplicationSlot().logical()
                .withSlotName(slot)
                .withOutputPlugin("pgoutput")
                .make();
        return new SlotSnapshot(connection, created.getSnapshotName(), Lsn.of(created.getConsistentPoint().asLong()), readBefore);
    }

    String snapshotName() {
        return snapshotName;
    }

    Lsn consistentPoint() {
        return consistentPoint;
    }

    /** The database server's clock just before the slot was created, at its microsecond precision. */
    Instant readBefore() {
        return readBefore;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
