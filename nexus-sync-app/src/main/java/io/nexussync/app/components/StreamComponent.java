package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.critical.CriticalListener;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.pipeline.BatchPolicy;
import io.nexussync.core.pipeline.SchemaChangeHandler;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncPipeline;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.pipeline.VisibilityListener;
import io.nexussync.core.pipeline.ApplyListener;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.postgres.capture.PgReplicationSource;
import io.nexussync.postgres.slot.SlotInUseException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream: the initial snapshot when the graph needs one, then stream sessions from the graph's checkpoint, each
 * preceded by the catch-up of cross-references a write-back left empty. A broken connection on either side ends the
 * session with a retryable failure, and the supervisor starts the next one from the checkpoint after its backoff, which
 * the checkpoint makes safe. The components after it start once the snapshot is in the graph.
 */
public final class StreamComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(StreamComponent.class);

    private final ServiceWiring wiring;
    private final SyncProgress progress;
    private final SnapshotStep snapshot;
    private final SlotMonitorComponent slot;
    private final SchemaChangeHandler schemaChanges;
    private final CriticalListener critical;
    private volatile VisibilityListener visibility;
    private volatile ApplyListener applyListener = ApplyListener.NONE;
    private volatile boolean stopping;
    private volatile SyncPipeline pipeline;
    private volatile Thread runner;
    private volatile boolean snapshotTaken;
    private volatile boolean slotChecked;
    private volatile boolean streamedBefore;

    /** @param critical told what becomes of each critical write the stream applies (its decision, PostgreSQL's answer) */
    public StreamComponent(ServiceWiring wiring, SyncProgress progress, SnapshotStep snapshot, SlotMonitorComponent slot,
                           SchemaChangeHandler schemaChanges, VisibilityListener visibility, CriticalListener critical) {
        this.wiring = wiring;
        this.progress = progress;
        this.snapshot = snapshot;
        this.slot = slot;
        this.schemaChanges = schemaChanges;
        this.visibility = visibility;
        this.critical = critical;
        wiring.writeBackCircuit().onOpen(this::endSessionWhilePostgresIsAway);
    }

    /** Adds a listener told when each streamed change is visible (the lag metrics); takes effect at the next stream session. */
    public void observeVisibility(VisibilityListener listener) {
        VisibilityListener before = visibility;
        visibility = (lane, committed, visible) -> {
            before.visible(lane, committed, visible);
            listener.visible(lane, committed, visible);
        };
    }

    /** Sets the listener told of each batch committed, failed write and dead letter (the sync metrics); takes effect at the next stream session. */
    public void observeApply(ApplyListener listener) {
        applyListener = listener;
    }

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        runner = Thread.currentThread();
        try {
            GraphWriter writer = wiring.graphWriter();
            if (!snapshotTaken) {
                if (snapshot.needed()) {
                    snapshot.take(writer);
                }
                snapshotTaken = true;
            }
            if (!slotChecked) {
                // A lost slot would stream on from after the gap: stop before the first change (the slot monitor watches
                // from now on). (After the snapshot, which replaces the slot when it takes one.)
                slot.checkNow();
                slotChecked = true;
            }
            // Before every session: a session that ended while PostgreSQL was away gave up write-backs of batches the
            // graph committed, and a crash may have left some before the first.
            if (wiring.writesBack()) {
                fillMissingCrossReferences();
            }
            context.ready();
            if (!stopping) {
                streamFromCheckpoint(writer);
            }
        } finally {
            runner = null;
        }
    }

    /**
     * One stream session until stopped or broken: the slot streams from its confirmed position, which may be before the
     * graph's checkpoint (it is kept before an application's prepared transaction not yet committed, see
     * PgReplicationSource.start), and the pipeline skips what the checkpoint holds.
     */
    private void streamFromCheckpoint(GraphWriter writer) throws InterruptedException {
        var config = wiring.config();
        var mapping = wiring.mapping();
        var crossReferences = wiring.crossReferencesBehindCircuit();
        var syncLog = wiring.syncLog();
        var retry = wiring.retry();
        var afterCommit = wiring.afterCommit();
        var watermarks = wiring.watermarks();
        var deadLetters = wiring.deadLetters();
        Checkpoint checkpoint = wiring.checkpoints().loadCheckpoint();
        try (PgReplicationSource source = PgReplicationSource.start(config.postgres(), checkpoint.committedEnd(), config.queueCapacity(), config.heartbeat())) {
            SyncPipeline next = SyncPipeline.builder().source(source).planner(new GraphPlanner(mapping)).writer(writer)
                    .crossReferences(crossReferences).syncLog(syncLog).policy(batchPolicy()).retry(retry).clock(Clock.systemUTC())
                    .progress(progress).afterCommitExecutor(afterCommit).watermarks(watermarks).schemaChanges(schemaChanges::schemaChanged)
                    .build()
                    .visibility(visibility).applyListener(applyListener).deadLetters(deadLetters).critical(preparedTransactionsFinishedHere(), critical);
            pipeline = next;
            streamedBefore = true;
            if (!stopping) {
                next.run(checkpoint);
            }
        }
    }

    /**
     * A graph that does not write back is one of several: it applies a critical write as it reads it but leaves the COMMIT or
     * ROLLBACK PREPARED to the graph that writes back, whose decision PostgreSQL must follow (two graphs deciding one
     * transaction could each see their own outcome win).
     */
    private io.nexussync.core.critical.PreparedTransactions preparedTransactionsFinishedHere() {
        return wiring.writesBack() ? wiring.preparedTransactions() : io.nexussync.core.critical.PreparedTransactions.NONE;
    }

    private BatchPolicy batchPolicy() {
        var config = wiring.config();
        return new BatchPolicy(config.batchSize(), config.batchDelay()).withTargetCommit(config.batchTarget())
                .withWorkers(config.applyWorkers()).withReadAheadBytes(config.readAheadBytes()).withLaneCacheEntries(config.laneCacheEntries());
    }

    /** Rows whose node exists but whose {@code neo4j_node_id} is empty: a write-back interrupted (crash, or PostgreSQL away). */
    private void fillMissingCrossReferences() {
        var filled = CrossReferenceRefresh.run(CrossReferenceRefresh.Scope.MISSING, wiring.postgres(), wiring.mapping(),
                wiring.graphReader(), wiring.crossReferences());
        if (filled.rewritten() > 0) {
            log.info("wrote {} cross-references that an interrupted write-back had left empty", filled.rewritten());
        }
    }

    /**
     * PostgreSQL refuses the write-back: it is going away (a restart) or gone. A fast shutdown waits for our
     * walsender until we confirm everything it sent, and our confirmations wait behind the write-back, so
     * the stream would hold the shutdown up for as long as it stays connected. End the session instead: the
     * pipeline drains what it can, and the next session starts from the graph's checkpoint once PostgreSQL is
     * back. (The write-backs given up are filled in by the next session's catch-up.)
     */
    private void endSessionWhilePostgresIsAway() {
        SyncPipeline current = pipeline;
        if (current != null && !stopping) {
            log.warn("PostgreSQL refuses the write-back: ending the stream session so that the replication connection does not "
                    + "hold up a PostgreSQL shutdown; the stream starts again from the graph's checkpoint once it is back");
            current.stop();
        }
    }

    /** Right after our own connection broke, the slot may still look busy with our old walsender. */
    @Override
    public boolean isRetryable(SyncException failure) {
        return failure.isRetryable() || (failure instanceof SlotInUseException && streamedBefore);
    }

    @Override
    public void restarting(SyncException failure, Duration wait) {
        progress.stateChanged(ServiceState.RECONNECTING, failure);
        if (snapshotTaken) {
            log.warn("stream interrupted ({}); restarting from the checkpoint in {} ms", failure.getMessage(), wait.toMillis());
        } else {
            log.warn("snapshot interrupted ({}); beginning it again in {} ms", failure.getMessage(), wait.toMillis());
        }
    }

    /** Asks the session to drain its batch, commit, and return. */
    @Override
    public void stop() {
        stopping = true;
        SyncPipeline current = pipeline;
        if (current != null) {
            current.stop();
        }
        Thread running = runner;
        // A snapshot or a catch-up can be long while a server is down; a stop should not have to sit it out.
        if (running != null && progress.state() != ServiceState.STREAMING) {
            // (a snapshot checks for the interrupt between chunks: it is begun again at the next start)
            running.interrupt();
        }
    }

    /** The stream drains its batches and commits them: waited for whatever it takes. */
    @Override
    public Duration stopGrace() {
        return UNTIL_DONE;
    }
}
