package io.nexussync.postgres.capture;

import io.nexussync.postgres.slot.SlotInUseException;
import io.nexussync.postgres.slot.SlotRelease;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.capture.ChangeSource;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.deadletter.ReleaseMessage;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.TwoPhaseDecoding;
import io.nexussync.postgres.pgoutput.PgOutputDecoder;
import io.nexussync.postgres.pgoutput.PgOutputException;
import io.nexussync.postgres.slot.SlotInvalidatedException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the slot with pgoutput on a reader thread of its own and hands decoded events over a
 * bounded queue: when the queue is full the reader stops reading (the slot keeps the WAL), but keeps
 * sending status updates so the server does not time the connection out. Acknowledgements are
 * passed to the reader thread, the only one that touches the pgjdbc stream.
 *
 * <p>While the stream is idle and everything received has been acknowledged, the reader confirms the
 * server's position every heartbeat interval, so that traffic on unmapped tables does not make the
 * slot hold WAL ({@link Heartbeat} says why that is safe).
 */
public final class PgReplicationSource implements ChangeSource {
    private static final Logger log = LoggerFactory.getLogger(PgReplicationSource.class);
    private static final Object END = new Object();

    private final PgSettings settings;
    private final Connection connection;
    private final PGReplicationStream stream;
    private final BlockingQueue<Object> queue;
    private final AtomicLong acknowledged = new AtomicLong();
    private final Heartbeat heartbeat;
    private long sentAcknowledgement;
    private final Thread reader;
    private volatile boolean closing;
    private volatile SyncException failure;

    private PgReplicationSource(PgSettings settings, Connection connection, PGReplicationStream stream, int capacity, Duration heartbeat,
                                Lsn graphHolds) {
        this.settings = settings;
        this.heartbeat = new Heartbeat(heartbeat, graphHolds.value());
        this.connection = connection;
        this.stream = stream;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.reader = new Thread(this::readLoop, "nexus-sync-capture");
        this.reader.setDaemon(true);
    }

    /**
     * Starts streaming at the slot's confirmed position, with two-phase decoding on PostgreSQL 15+ (prepared
     * transactions arrive at their PREPARE, pgoutput protocol 3; the option also turns it on for a slot created without).
     *
     * <p>Why the slot's confirmed position and not the graph's checkpoint, which is usually later: the checkpoint may
     * be ahead of the slot on purpose. The feed never confirms the slot past the PREPARE of an application's prepared
     * transaction that it holds in memory until its COMMIT PREPARED (CapturedChangeFeed.acknowledge), while later
     * transactions are applied and checkpointed. Asked to start at the checkpoint, PostgreSQL would begin decoding
     * after that PREPARE and send only the transaction's COMMIT PREPARED, so its changes would never reach the graph.
     * From the confirmed position it sends the prepared transaction again; the transactions the checkpoint already
     * holds arrive again too, and the pipeline skips them (StreamIntake). (PostgreSQL never starts before the confirmed
     * position, whatever is asked, so this is also as early as a start can be.)
     *
     * @param graphHolds the graph checkpoint's committed end: the transactions committed before it are in the graph,
     *                   which lets the heartbeat confirm past them although the pipeline skips them unacknowledged
     * @param capacity   how many decoded events may wait for the pipeline: the bound on capture memory
     * @param heartbeat  how often an idle stream confirms the server's position; zero turns that off
     */
    public static PgReplicationSource start(PgSettings settings, Lsn graphHolds, int capacity, Duration heartbeat) {
        return SlotRelease.awaiting(settings.slot(), () -> startOnce(settings, graphHolds, capacity, heartbeat));
    }

    private static PgReplicationSource startOnce(PgSettings settings, Lsn graphHolds, int capacity, Duration heartbeat) {
        Connection connection = null;
        try {
            connection = PgConnections.openReplication(settings);
            Lsn from = confirmedPosition(connection, settings.slot());
            ChainedLogicalStreamBuilder builder = connection.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(settings.slot())
                    .withStartPosition(LogSequenceNumber.valueOf(from.value()));
            if (TwoPhaseDecoding.supported(connection)) {
                builder.withSlotOption("proto_version", "3").withSlotOption("two_phase", "on");
            } else {
                builder.withSlotOption("proto_version", "1");
                log.info("PostgreSQL {} decodes a prepared transaction only at its COMMIT PREPARED: critical writes (PREPARE TRANSACTION "
                        + "'nexus_sync:...') need PostgreSQL {} or later", connection.getMetaData().getDatabaseMajorVersion(), TwoPhaseDecoding.SINCE_MAJOR);
            }
            PGReplicationStream stream = builder
                    .withSlotOption("publication_names", settings.publication())
                    .withSlotOption("messages", "true")
                    .withStatusInterval(5, TimeUnit.SECONDS)
                    // Only this class decides what is confirmed: pgjdbc's keepalive flush could confirm past a
                    // transaction received but not yet in the graph (see Heartbeat).
                    .withAutomaticFlush(false)
                    .start();
            log.info("streaming slot {} from its confirmed position {} (the graph holds everything before {})", settings.slot(), from, graphHolds);
            PgReplicationSource source = new PgReplicationSource(settings, connection, stream, capacity, heartbeat, graphHolds);
            source.acknowledged.set(from.value());
            source.sentAcknowledgement = from.value();
            source.reader.start();
            return source;
        } catch (SQLException e) {
            closeQuietly(connection);
            if ("55006".equals(e.getSQLState())) {
                throw new SlotInUseException(settings.slot(), e.getMessage(), e);
            }
            SlotInvalidatedException invalidated = SlotInvalidatedException.classify(settings, e);
            if (invalidated != null) {
                throw invalidated;
            }
            throw PgErrors.translate("starting replication from slot " + settings.slot(), settings, e);
        }
    }

    /** The slot's confirmed position, or {@link Lsn#INVALID} (then the server starts there itself, or says the slot is missing). */
    private static Lsn confirmedPosition(Connection replication, String slot) throws SQLException {
        try (PreparedStatement ps = replication.prepareStatement("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                String confirmed = rs.next() ? rs.getString(1) : null;
                return confirmed == null ? Lsn.INVALID : Lsn.valueOf(confirmed);
            }
        }
    }

    @Override
    public CaptureEvent poll(Duration timeout) throws InterruptedException {
        Object next = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (next == END || (next == null && failure != null)) {
            queue.offer(END);
            throw failure != null ? failure : SyncException.retryable("the replication stream ended", null);
        }
        return (CaptureEvent) next;
    }

    @Override
    public void acknowledge(Lsn appliedEnd) {
        acknowledged.accumulateAndGet(appliedEnd.value(), (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    }

    private void readLoop() {
        PgOutputDecoder decoder = new PgOutputDecoder();
        try {
            while (!closing) {
                sendAcknowledgement();
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    beatIfIdle();
                    Thread.sleep(2);
                    continue;
                }
                CaptureEvent event = decoder.decode(message);
                if (event instanceof CaptureEvent.Message m && m.transactional() && ReleaseMessage.PREFIX.equals(m.prefix())) {
                    event = ReleaseMessage.decode(m);
                }
                if (event != null) {
                    heartbeat.observe(event);
                    while (!queue.offer(event, 200, TimeUnit.MILLISECONDS)) {
                        if (closing) {
                            return;
                        }
                        sendAcknowledgement();
                        stream.forceUpdateStatus();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            if (!closing) {
                SlotInvalidatedException invalidated = SlotInvalidatedException.classify(settings, e);
                failure = invalidated != null ? invalidated : PgErrors.translate("reading the replication stream", settings, e);
                log.warn("replication stream failed: {}", failure.getMessage());
            }
        } catch (RuntimeException e) {
            // Our decoder's own messages name tables and columns, never values; anything else shows only its kind.
            ErrorText why = e instanceof PgOutputException ? ErrorText.ours(String.valueOf(e.getMessage())) : ErrorText.of(e);
            failure = e instanceof SyncException s ? s : SyncException.persistent(why.after("cannot decode the replication stream: "), e);
            log.error("capture stopped: {}", failure.getMessage(), e);
        } finally {
            queue.offer(END);
        }
    }

    /**
     * Nothing to read: once per heartbeat interval, confirm the server's last reported position when everything
     * received is in the graph ({@link Heartbeat}), and ask the server for its current one (a status update that
     * requests a reply, which the walsender answers with a keepalive carrying how far it has decoded).
     */
    private void beatIfIdle() throws SQLException {
        if (!heartbeat.due(System.nanoTime())) {
            return;
        }
        long position = heartbeat.confirmable(stream.getLastReceiveLSN().asLong(), acknowledged.get());
        if (position != 0) {
            log.debug("heartbeat: nothing pending, confirming the server position {}", Lsn.of(position));
            acknowledge(Lsn.of(position));
        } else {
            stream.forceUpdateStatus();
        }
    }

    /** Tells the server what the graph has committed, when that moved. Only the thread that owns the stream calls this. */
    private void sendAcknowledgement() throws SQLException {
        long ack = acknowledged.get();
        if (ack != sentAcknowledgement) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(ack);
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
            stream.forceUpdateStatus();
            sentAcknowledgement = ack;
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // Once the reader has stopped this thread may touch the stream: confirm the last commit before leaving.
            if (!reader.isAlive() && !stream.isClosed()) {
                sendAcknowledgement();
                stream.close();
            }
        } catch (SQLException e) {
            log.debug("closing the replication stream: {}", e.getMessage());
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing after a failure; the failure is what matters
            }
        }
    }
}
