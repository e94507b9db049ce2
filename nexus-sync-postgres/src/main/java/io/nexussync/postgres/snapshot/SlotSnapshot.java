package io.nexussync.postgres.snapshot;

import io.nexussync.core.model.Lsn;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
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
            ReplicationSlotInfo slot = connection.unwrap(PGConnection.class).getReplicationAPI()
                    .createReplicationSlot().logical()
                    .withSlotName(settings.slot())
                    .withOutputPlugin("pgoutput")
                    .make();
            log.info("created replication slot {} at {} with snapshot {}", slot.getSlotName(), slot.getConsistentPoint(), slot.getSnapshotName());
            return new SlotSnapshot(connection, slot.getSnapshotName(), Lsn.of(slot.getConsistentPoint().asLong()), readBefore);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
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
