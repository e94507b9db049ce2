package io.nexussync.bench;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.RowChange;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.pgoutput.PgOutputDecoder;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * Reads a second pgoutput slot on the same publication into memory, with the product's own decoder,
 * so the raw reference writes exactly the row changes nexus-sync had to apply. Untimed.
 */
final class WalReader {
    private WalReader() {}

    /** Streams {@code settings.slot()} from its start until the {@link CatchUpWait} marker, returning the row changes in WAL order. */
    static List<RowChange> readUntilMarker(PgSettings settings) throws SQLException {
        List<RowChange> changes = new ArrayList<>();
        PgOutputDecoder decoder = new PgOutputDecoder();
        try (Connection c = PgConnections.openReplication(settings)) {
            PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(settings.slot())
                    .withStartPosition(LogSequenceNumber.INVALID_LSN)
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", settings.publication())
                    .withSlotOption("messages", "true")
                    .start();
            try {
                while (true) {
                    ByteBuffer message = stream.read();
                    CaptureEvent event = decoder.decode(message);
                    if (event instanceof CaptureEvent.Change change) {
                        changes.add(change.change());
                    } else if (event instanceof CaptureEvent.Message m && CatchUpWait.MARKER_PREFIX.equals(m.prefix())) {
                        return changes;
                    }
                }
            } finally {
                stream.close();
            }
        }
    }
}
