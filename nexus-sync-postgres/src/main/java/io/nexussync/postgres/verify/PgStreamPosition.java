package io.nexussync.postgres.verify;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.verify.StreamPosition;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How far the service has applied, read from its slot: the slot's confirmed position moves only once the graph holds
 * everything before it. Polled every {@link #POLL}.
 *
 * <p>When no process streams from the slot (the service is not running), the confirmed position stands still; then
 * what counts is whether anything of the mapped tables is still waiting in the slot before the position. That is
 * peeked ({@code pg_logical_slot_peek_binary_changes} with the service's own pgoutput options, so only the
 * publication's tables show): no data change pending means the graph already has everything committed before it.
 * A peek holds the slot while it decodes, so a service that starts meanwhile finds the slot busy and retries, as it
 * does whenever its slot is in use; a peek that finds the service already streaming is answered by polling again.
 *
 * <p>A slot with two-phase decoding (PostgreSQL 15+) decodes a prepared transaction at its PREPARE, whatever protocol
 * the peek asks for: its changes come between a Begin Prepare ('b') and a Prepare ('P'), and its COMMIT PREPARED
 * ('K') or ROLLBACK PREPARED comes later. Not committed yet (or rolled back), it is in neither PostgreSQL's committed
 * rows nor the graph, so its changes count as pending only once its COMMIT PREPARED is in the peek too (the same xid).
 *
 * <p>While the service streams, an idle stream confirms the server's position only at its heartbeat (10 s by
 * default). So that a quiet database does not make verify wait for it, one transactional logical message (prefix
 * {@link #MARKER_PREFIX}, no table written) is emitted per wait that is not already over: the service receives its
 * commit and confirms past it at once.
 */
public final class PgStreamPosition implements StreamPosition {
    static final Duration POLL = Duration.ofMillis(150);
    public static final String MARKER_PREFIX = "nexus-sync-verify";
    /** pgoutput's message types that carry a change of a table's data: insert, update, delete, truncate. */
    private static final String DATA_CHANGES = "'I', 'U', 'D', 'T'";
    /** A data change of a transaction committed in the peek: an ordinary one, or a prepared one whose COMMIT PREPARED is there. */
    private static final String PENDING = "WITH peeked AS MATERIALIZED (SELECT xid, chr(get_byte(data, 0)) AS kind "
            + "FROM pg_logical_slot_peek_binary_changes(?, CAST(? AS pg_lsn), NULL, 'proto_version', '1', 'publication_names', ?)) "
            + "SELECT EXISTS (SELECT 1 FROM peeked d WHERE d.kind IN (" + DATA_CHANGES + ") "
            + "AND (NOT EXISTS (SELECT 1 FROM peeked b WHERE b.kind = 'b' AND b.xid = d.xid) "
            + "OR EXISTS (SELECT 1 FROM peeked k WHERE k.kind = 'K' AND k.xid = d.xid)))";
    private static final String OBJECT_IN_USE = "55006";

    private final PgConnectionSource connections;
    private final String slot;
    private final String publication;

    public PgStreamPosition(PgConnectionSource connections, String slot, String publication) {
        this.connections = connections;
        this.slot = slot;
        this.publication = publication;
    }

    /** The slot and publication the service owns ({@link io.nexussync.postgres.PgSettings}). */
    public PgStreamPosition(PgConnectionSource connections) {
        this(connections, connections.settings().slot(), connections.settings().publication());
    }

    @Override
    public boolean awaitApplied(Lsn position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean markerSent = false;
        Lsn peekedAt = null;
        while (true) {
            SlotState state = slotState();
            if (state.confirmed().isValid() && state.confirmed().compareTo(position) >= 0) {
                return true;
            }
            if (!state.active()) {
                // Nothing pending cannot change while nobody consumes the slot: peek again only once it moved.
                if (!state.confirmed().equals(peekedAt)) {
                    Boolean pending = pendingBefore(position);
                    if (pending != null && !pending) {
                        return true;
                    }
                    peekedAt = pending == null ? null : state.confirmed();
                }
            } else if (!markerSent) {
                emitMarker();
                markerSent = true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left / 1_000_000)));
        }
    }

    private record SlotState(boolean active, Lsn confirmed) {}

    private SlotState slotState() {
        try (Connection c = connections.connection();
             PreparedStatement ps = c.prepareStatement("SELECT active, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw SyncException.persistent("replication slot '" + slot + "' does not exist, so verify cannot tell what the stream has "
                            + "applied: run 'nexus-sync setup' and start the service (it creates the slot and the initial snapshot), "
                            + "or check NEXUS_SYNC_SLOT", null);
                }
                String confirmed = rs.getString(2);
                return new SlotState(rs.getBoolean(1), confirmed == null ? Lsn.INVALID : Lsn.valueOf(confirmed));
            }
        } catch (SQLException e) {
            throw PgErrors.translate("reading replication slot " + slot, connections.settings(), e);
        }
    }

    /**
     * Whether a committed change of a published table waits in the slot before {@code position}.
     *
     * @return null when the slot became busy (a service started streaming from it)
     */
    private Boolean pendingBefore(Lsn position) {
        try (Connection c = connections.connection();
             PreparedStatement ps = c.prepareStatement(PENDING)) {
            ps.setString(1, slot);
            ps.setString(2, position.toString());
            ps.setString(3, publication);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            if (OBJECT_IN_USE.equals(e.getSQLState())) {
                return null;
            }
            throw PgErrors.translate("peeking at replication slot " + slot + " (publication " + publication + ")", connections.settings(), e);
        }
    }

    private void emitMarker() {
        try (Connection c = connections.connection();
             PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, '')")) {
            ps.setString(1, MARKER_PREFIX);
            ps.execute();
        } catch (SQLException e) {
            throw PgErrors.translate("writing verify's position marker", connections.settings(), e);
        }
    }
}
