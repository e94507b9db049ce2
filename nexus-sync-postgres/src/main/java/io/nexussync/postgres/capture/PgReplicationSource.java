package io.nexussync.postgres.capture;

import io.nexussync.postgres.slot.SlotInUseException;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.capture.ChangeSource;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.deadletter.ReleaseMessage;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.pgoutput.PgOutputDecoder;
import io.nexussync.postgres.pgoutput.PgOutputException;
import io.nexussync.postgres.slot.SlotInvalidatedException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
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

    private PgReplicationSource(PgSettings settings, Connection connection, PGReplicationStream stream, int capacity, Duration heartbeat) {
        this.settings = settings;
        this.heartbeat = new Heartbeat(heartbeat);
        this.connection = connection;
        this.stream = stream;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.reader = new Thread(this::readLoop, "nexus-sync-capture");
        this.reader.setDaemon(true);
    }

    /**
     * Starts streaming at {@code from} (the server starts at the slot's confirmed position when that is later).
     * @param capacity how many decoded events may wait for the pipeline: the bound on capture memory
     * @param heartbeat how often an idle stream confirms the server's position; zero turns that off
     */
    public static PgReplicationSource start(PgSettings settings, Lsn from, int capacity, Duration heartbeat) {
        Connection connection = null;
        try {
            connection = PgConnections.openReplication(settings);
            PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(settings.slot())
                    .withStartPosition(LogSequenceNumber.valueOf(from.value()))
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", settings.publication())
                    .withSlotOption("messages", "true")
                    .withStatusInterval(5, TimeUnit.SECONDS)
                    // Only this class decides what is confirmed: pgjdbc's keepalive flush could confirm past a
                    // transaction received but not yet in the graph (see Heartbeat).
                    .withAutomaticFlush(false)
                    .start();
            PgReplicationSource source = new PgReplicationSource(settings, connection, stream, capacity, heartbeat);
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
                if (event instanceof CaptureEvent.Begin) {
                    heartbeat.begin();
                } else if (event instanceof CaptureEvent.Commit commit) {
                    heartbeat.commit(commit.endLsn().value());
                }
                if (event != null) {
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
