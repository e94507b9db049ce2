package io.nexussync.core.pipeline;

import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.acknowledge.CrossReferenceWriter;
import io.nexussync.core.acknowledge.SyncLog;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.critical.CriticalListener;
import io.nexussync.core.critical.PreparedTransactions;
import io.nexussync.core.capture.CapturedChangeFeed;
import io.nexussync.core.capture.ChangeFeed;
import io.nexussync.core.capture.ChangeSource;
import io.nexussync.core.capture.TransactionReader;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.plan.GraphPlanner;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * One stream session, from the graph's checkpoint until stopped: the capture half (a {@link TransactionReader} over
 * the {@link ChangeSource}) joined to the apply half ({@link ApplyLoop}) by a {@link ChangeFeed}, which also carries
 * the acknowledgements back. Every graph write goes through one {@link GraphCommit}.
 *
 * <p>Exactly-once rests on two rules: a change the graph's checkpoint records as applied is skipped when
 * the stream replays it, and the source is never acknowledged past the first change not yet applied.
 * Lanes and workers apply changes out of stream order, so a checkpoint is a committed end plus the
 * runs of changes applied beyond it; each worker writes its own record, and a restart merges them.
 */
public final class SyncPipeline {
    private final ApplyLoop loop;

    private SyncPipeline(Builder b) {
        ChangeFeed feed = new CapturedChangeFeed(b.source, new TransactionReader());
        GraphCommit graph = new GraphCommit(b.writer, b.retry, new AfterCommitStage(b.afterCommitExecutor), b.crossReferences, b.syncLog,
                feed::acknowledge);
        WatermarkWindows watermarks = b.watermarks != null ? b.watermarks : new WatermarkWindows(b.planner.mapping());
        this.loop = new ApplyLoop(feed, b.planner, graph, b.syncLog, b.policy, b.retry, b.clock, b.progress, watermarks, b.schemaChanges);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where changes the graph refuses go; without one, such a change stops the pipeline. */
    public SyncPipeline deadLetters(DeadLetterStore store) {
        loop.deadLetters(store);
        return this;
    }

    /**
     * Where critical writes are finished once the graph has decided them (COMMIT PREPARED or ROLLBACK PREPARED), and who
     * hears of them. Without it the graph still decides, and recovery finishes them in PostgreSQL.
     */
    public SyncPipeline critical(PreparedTransactions prepared, CriticalListener listener) {
        loop.critical(prepared, listener);
        return this;
    }

    /** Told of each batch committed, each failed write and each dead letter, by entity type (the sync metrics). */
    public SyncPipeline applyListener(ApplyListener listener) {
        loop.applyListener(listener);
        return this;
    }

    /** Told when each streamed change becomes visible in the graph. */
    public SyncPipeline visibility(VisibilityListener listener) {
        loop.visibility(listener);
        return this;
    }

    /**
     * Runs from {@code start} (the graph's checkpoint, which the source was started at) until {@link #stop()},
     * then applies what it has read for up to {@link ApplyLoop#STOP_DRAIN}; or until the source or a write fails for good.
     */
    public void run(Checkpoint start) throws InterruptedException {
        loop.run(start);
    }

    /** Asks {@link #run} to finish its batches and return. Safe from any thread. */
    public void stop() {
        loop.stop();
    }

    /** What the graph holds, as the batches this pipeline saw commit tell it. */
    public Checkpoint checkpoint() {
        return loop.checkpoint();
    }

    /** The parts of a session; all but the watermarks and the schema-change handler are required. */
    public static final class Builder {
        private ChangeSource source;
        private GraphPlanner planner;
        private GraphWriter writer;
        private CrossReferenceWriter crossReferences;
        private SyncLog syncLog = SyncLog.NONE;
        private BatchPolicy policy = BatchPolicy.DEFAULT;
        private RetryPolicy retry;
        private Clock clock = Clock.systemUTC();
        private SyncProgress progress;
        private Executor afterCommitExecutor;
        private WatermarkWindows watermarks;
        private SchemaChangeHandler schemaChanges = SchemaChangeHandler.IGNORE;

        private Builder() {}

        public Builder source(ChangeSource source) {
            this.source = source;
            return this;
        }

        public Builder planner(GraphPlanner planner) {
            this.planner = planner;
            return this;
        }

        public Builder writer(GraphWriter writer) {
            this.writer = writer;
            return this;
        }

        public Builder crossReferences(CrossReferenceWriter crossReferences) {
            this.crossReferences = crossReferences;
            return this;
        }

        public Builder syncLog(SyncLog syncLog) {
            this.syncLog = syncLog;
            return this;
        }

        public Builder policy(BatchPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder progress(SyncProgress progress) {
            this.progress = progress;
            return this;
        }

        /** Where the steps after each commit run (write-back, log row, acknowledgement), in commit order. */
        public Builder afterCommitExecutor(Executor executor) {
            this.afterCommitExecutor = executor;
            return this;
        }

        /** Where backfill chunks are let into the stream (shared with the backfill coordinator); a private one by default. */
        public Builder watermarks(WatermarkWindows watermarks) {
            this.watermarks = watermarks;
            return this;
        }

        /** Told about ALTER TABLEs on published tables as the stream meets them. */
        public Builder schemaChanges(SchemaChangeHandler schemaChanges) {
            this.schemaChanges = schemaChanges;
            return this;
        }

        public SyncPipeline build() {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(planner, "planner");
            Objects.requireNonNull(writer, "writer");
            Objects.requireNonNull(crossReferences, "crossReferences");
            Objects.requireNonNull(retry, "retry");
            Objects.requireNonNull(progress, "progress");
            Objects.requireNonNull(afterCommitExecutor, "afterCommitExecutor");
            return new SyncPipeline(this);
        }
    }
}
