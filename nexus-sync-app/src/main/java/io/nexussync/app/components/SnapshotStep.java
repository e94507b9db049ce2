package io.nexussync.app.components;

import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.apply.CheckpointStore;
import io.nexussync.core.apply.GraphWriter;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.snapshot.InitialSnapshot;
import io.nexussync.core.snapshot.SnapshotProgress;
import io.nexussync.core.snapshot.SnapshotVerification;
import io.nexussync.neo4j.Neo4jGraphReader;
import io.nexussync.postgres.setup.PgSetup;
import io.nexussync.postgres.snapshot.PgSnapshotSource;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial snapshot: whether the graph needs one, and taking it (for the stream's first start, and for {@code resync}).
 * A snapshot cut short is begun again with a new slot (its exported view is gone with the connection that held it), and
 * the sweep at its end removes what the first attempt wrote that PostgreSQL has since deleted.
 */
public final class SnapshotStep {
    private static final Logger log = LoggerFactory.getLogger(SnapshotStep.class);

    private final ServiceWiring wiring;
    private final SyncProgress progress;

    public SnapshotStep(ServiceWiring wiring, SyncProgress progress) {
        this.wiring = wiring;
        this.progress = progress;
    }

    /** Whether the graph holds no stream checkpoint, or holds a snapshot that was cut short. */
    public boolean needed() {
        CheckpointStore checkpoints = wiring.checkpoints();
        SnapshotMark mark = checkpoints.loadSnapshotMark();
        if (mark.state() == SnapshotMark.State.DONE && checkpoints.loadCheckpoint().committedEnd().isValid()) {
            return false;
        }
        if (mark.state() == SnapshotMark.State.RUNNING) {
            log.info("the snapshot consistent with {} was cut short after {} rows; taking a new one", mark.consistentPoint(), mark.rowsDone());
        }
        return true;
    }

    /** Replaces the slot with a new one and fills the graph from the view it exported. */
    public SnapshotVerification take(GraphWriter writer) throws InterruptedException {
        Neo4jGraphReader graph = wiring.graphReader();
        var config = wiring.config();
        var mapping = wiring.mapping();
        var retry = wiring.retry();
        var crossReferences = wiring.crossReferences();
        var afterCommit = wiring.afterCommit();
        boolean graphHasData = graph.holdsAnyNode(List.copyOf(mapping.labels()));
        PgSetup.dropSlotForSnapshot(config.postgres());
        SnapshotProgress snapshotProgress = new SnapshotProgress(Clock.systemUTC());
        progress.snapshotStarted(snapshotProgress);
        try (PgSnapshotSource source = PgSnapshotSource.begin(config.postgres(), mapping)) {
            InitialSnapshot snapshot = new InitialSnapshot(mapping, writer, crossReferences, retry, Clock.systemUTC(), config.batchSize(),
                    snapshotProgress, afterCommit);
            snapshot.run(source, graph, graphHasData);
            return snapshot.verification();
        }
    }
}
