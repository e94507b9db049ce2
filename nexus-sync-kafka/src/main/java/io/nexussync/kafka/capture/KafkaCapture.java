package io.nexussync.kafka.capture;

import io.nexussync.core.capture.ChangeFeed;
import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.kafka.records.ChangeRecord;
import io.nexussync.kafka.records.ChangeRecordCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture role: reads the stream through a {@link ChangeFeed} and publishes each mapped change to the change topic,
 * planning nothing. Whole PostgreSQL transactions go into one Kafka transaction of a transactional producer, together
 * with a progress record (the end of the last PostgreSQL transaction in it, see {@link CaptureProgress}); the feed is
 * acknowledged up to that end only once {@code commitTransaction} has returned. So a crash before the commit leaves
 * nothing a {@code read_committed} consumer sees and the slot unconfirmed (the restart publishes those transactions
 * again), and a crash after it leaves the progress record, past which the restart skips what the slot sends again.
 *
 * <p>Lanes survive the hop: a critical change that may safely overtake its entity's older changes ({@link
 * CriticalRouting}: a node's delete, a whole critical node update) goes to the critical topic instead, in the same Kafka
 * transaction (a transactional producer spans topics) and with the same key, so apply can read it before the change
 * topic's backlog.
 *
 * <p>Single-threaded: {@link #run} polls, sends and commits on the caller's thread; {@link #stop} may come from any.
 */
public final class KafkaCapture implements StreamItem.Handler {
    private static final Logger log = LoggerFactory.getLogger(KafkaCapture.class);

    /** How many changes and how long one Kafka transaction may gather before it commits, at a PostgreSQL transaction's end. */
    public record Batching(int maxChanges, Duration maxDelay) {
        public Batching {
            if (maxChanges < 1 || maxDelay.isNegative()) {
                throw new IllegalArgumentException("a Kafka transaction needs at least one change and a delay of zero or more");
            }
        }
    }

    private final ChangeFeed feed;
    private final Producer<String, byte[]> producer;
    private final ChangeRecordCodec codec;
    private final String changeTopic;
    /** Null: everything goes to the change topic. */
    private final String criticalTopic;
    private final CriticalRouting routing;
    private final CaptureProgress progress;
    private final Batching batching;
    private final PreparedTransactions critical;
    private final Clock clock;
    private volatile boolean stopping;

    private Lsn publishedEnd = Lsn.INVALID;
    private boolean inTransaction;
    private long changesInTransaction;
    private Instant transactionBegan;
    /** The end of the last PostgreSQL transaction read whole into the open Kafka transaction (what its commit releases). */
    private Lsn pendingEnd = Lsn.INVALID;

    /**
     * @param critical where a critical write (PREPARE TRANSACTION 'nexus_sync:...') is rolled back: only the graph may
     *                 decide one, and the capture role has no graph, so it refuses them rather than leave the application
     *                 waiting (critical writes need {@code run})
     */
    public KafkaCapture(ChangeFeed feed, Producer<String, byte[]> producer, ChangeRecordCodec codec, String changeTopic,
                        CaptureProgress progress, Batching batching, PreparedTransactions critical, Clock clock) {
        this(feed, producer, codec, changeTopic, null, null, progress, batching, critical, clock);
    }

    /**
     * @param criticalTopic where the changes {@code routing} lets overtake go (null, with a null routing: nowhere, all
     *                      go to the change topic)
     */
    public KafkaCapture(ChangeFeed feed, Producer<String, byte[]> producer, ChangeRecordCodec codec, String changeTopic,
                        String criticalTopic, CriticalRouting routing, CaptureProgress progress, Batching batching,
                        PreparedTransactions critical, Clock clock) {
        if ((criticalTopic == null) != (routing == null)) {
            throw new IllegalArgumentException("a critical topic needs its routing, and routing needs a topic");
        }
        this.feed = feed;
        this.producer = producer;
        this.codec = codec;
        this.changeTopic = changeTopic;
        this.criticalTopic = criticalTopic;
        this.routing = routing;
        this.progress = progress;
        this.batching = batching;
        this.critical = critical;
        this.clock = clock;
    }

    /**
     * Publishes from {@code alreadyPublished} (the end in the last committed progress record, {@link Lsn#INVALID} for
     * none) until {@link #stop}: the transactions wholly before it are in the topic and are skipped. The producer's
     * {@code initTransactions} must have run before that record was read, so that no transaction of an earlier capture
     * can still commit behind it. Returns once stopped, after committing what it gathered.
     */
    public void run(Lsn alreadyPublished) throws InterruptedException {
        publishedEnd = alreadyPublished;
        try {
            while (!stopping) {
                StreamItem item = feed.poll(waitForNext());
                if (item == null) {
                    commitIfDue(true);
                    continue;
                }
                item.handleWith(this);
            }
            commitIfDue(true);
        } catch (ProducerFencedException e) {
            throw SyncException.persistent("another capture with the same slot took over the Kafka producer (transactional.id): "
                    + "run one capture per slot; this one stops", e);
        } catch (KafkaException e) {
            throw SyncException.retryable("publishing to Kafka failed (" + e.getClass().getSimpleName() + "); the open Kafka "
                    + "transaction is dropped and capture starts again from the last committed progress record", e);
        }
    }

    /** Asks {@link #run} to commit what it gathered and return. */
    public void stop() {
        stopping = true;
    }

    private Duration waitForNext() {
        if (!inTransaction) {
            return batching.maxDelay().isZero() ? Duration.ofMillis(100) : batching.maxDelay();
        }
        Duration left = batching.maxDelay().minus(Duration.between(transactionBegan, clock.instant()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Override
    public void change(StreamItem.Change change) {
        if (change.position().tx().isBefore(publishedEnd)) {
            return;
        }
        ChangeRecord record = codec.encode(change);
        if (record == null) {
            return;
        }
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
            transactionBegan = clock.instant();
            changesInTransaction = 0;
        }
        String topic = routing != null && routing.overtakes(change.change()) ? criticalTopic : changeTopic;
        producer.send(new ProducerRecord<>(topic, record.key(), record.value()));
        changesInTransaction++;
    }

    @Override
    public void transactionEnd(StreamItem.TransactionEnd end) {
        released(end.endLsn());
    }

    /**
     * A PostgreSQL transaction ended: inside a Kafka transaction its end is what the commit releases; with none open,
     * everything read is published (or had nothing to publish) and the feed may release it at once.
     */
    private void released(Lsn end) {
        if (routing != null) {
            routing.transactionEnded();
        }
        if (inTransaction) {
            pendingEnd = end;
            commitIfDue(false);
        } else {
            feed.acknowledge(end);
        }
    }

    private void commitIfDue(boolean idle) {
        if (!inTransaction || !pendingEnd.isValid()) {
            return;
        }
        boolean full = changesInTransaction >= batching.maxChanges();
        boolean old = !Duration.between(transactionBegan, clock.instant()).minus(batching.maxDelay()).isNegative();
        if (!(idle || full || old)) {
            return;
        }
        Lsn end = pendingEnd;
        producer.send(progress.record(end, clock.instant()));
        producer.commitTransaction();
        inTransaction = false;
        pendingEnd = Lsn.INVALID;
        publishedEnd = end;
        // Only now: the changes up to `end` are in Kafka for good.
        feed.acknowledge(end);
    }

    @Override
    public void lowWatermark(StreamItem.LowWatermark marker) {
        log.debug("a backfill watermark ({}) is not published: backfills run in the run role", marker.content());
    }

    @Override
    public void highWatermark(StreamItem.HighWatermark marker) {
        log.debug("a backfill watermark ({}) is not published: backfills run in the run role", marker.chunkId());
    }

    @Override
    public void deadLetterReleased(StreamItem.DeadLetterReleased release) {
        // A retry's rows as PostgreSQL held them at the release, published like any change read here: in their entities'
        // partitions, after every earlier change to them, so apply writes each row's current state (the head is released
        // in nexus_sync.dead_letter in the same PostgreSQL transaction, which apply reads before parking a change again).
        if (release.retry()) {
            release.currentRows().forEach(this::change);
        }
        log.info("dead letter #{} was {}: {} current rows published", release.headId(), release.retry() ? "retried" : "skipped",
                release.retry() ? release.currentRows().size() : 0);
    }

    @Override
    public void schemaChanged(StreamItem.SchemaChanged change) {
        log.info("{} changed shape (added {}, dropped {}, retyped {}); its changes are published as they come",
                change.change().table(), change.change().addedColumns(), change.change().droppedColumns(), change.change().retypedColumns());
    }

    @Override
    public void criticalPrepared(StreamItem.CriticalPrepared prepared) {
        log.warn("critical write {} was prepared, but only the run role, which writes the graph itself, can decide one: rolling it "
                + "back (run nexus-sync run instead of capture and apply to use critical writes)", prepared.gid());
        critical.finish(CriticalDecision.rollback(prepared.gid(), prepared.xid(), "critical writes need the run role, not capture --to kafka",
                clock.instant(), prepared.prepareLsn(), CriticalDecision.BY_STREAM));
    }

    @Override
    public void criticalFinished(StreamItem.CriticalFinished finished) {
        released(finished.endLsn());
    }
}
