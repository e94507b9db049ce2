package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.acknowledge.AfterCommitStage;
import io.nexussync.core.apply.GraphCommit;
import io.nexussync.core.deadletter.DeadLetter;
import io.nexussync.core.deadletter.DeadLetterStore;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.kafka.KafkaClientConfigs;
import io.nexussync.kafka.KafkaConnection;
import io.nexussync.kafka.apply.ChangeRecordReader;
import io.nexussync.kafka.apply.DebeziumRecordReader;
import io.nexussync.kafka.apply.KafkaApply;
import io.nexussync.core.model.TableId;
import io.nexussync.kafka.debezium.ColumnTypes;
import io.nexussync.kafka.debezium.DebeziumChangeDecoder;
import io.nexussync.kafka.debezium.DebeziumSettings;
import io.nexussync.postgres.catalog.Catalog;
import io.nexussync.postgres.catalog.CatalogReader;
import io.nexussync.kafka.records.ChangeRecordCodec;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply role's one component: a session joins the consumer group and applies what it is given ({@link KafkaApply}).
 * It needs the graph to hold the initial snapshot (taken by {@code run}, whose stream checkpoint then says which of the
 * topic's first changes the graph holds already).
 */
public final class KafkaApplyComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(KafkaApplyComponent.class);

    /** What the change topic holds. */
    public enum Format {
        /** nexus-sync's own capture role's records. */
        NEXUS_SYNC,
        /** Debezium's PostgreSQL connector's change events (JsonConverter, with schemas or without). */
        DEBEZIUM
    }

    private final ServiceWiring wiring;
    private final SyncProgress progress;
    private final Format format;
    private final java.util.List<java.util.function.Consumer<TopicPartition>> partitionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile KafkaApply apply;
    private volatile boolean stopping;

    public KafkaApplyComponent(ServiceWiring wiring, SyncProgress progress, Format format) {
        this.wiring = wiring;
        this.progress = progress;
        this.format = format;
    }

    /** Changes this instance wrote to the graph in its current session. */
    public long applied() {
        KafkaApply current = apply;
        return current == null ? 0 : current.applied();
    }

    /** Told once per session of each partition this instance is given (for a gauge each; registering one twice is a no-op). */
    public void onFirstAssignment(java.util.function.Consumer<TopicPartition> listener) {
        partitionListeners.add(listener);
    }

    @Override
    public String name() {
        return "apply";
    }

    /** Records not yet consumed per partition (of either topic) of this member, as of its last poll (empty before the first). */
    public Map<TopicPartition, Long> lag() {
        KafkaApply current = apply;
        return current == null ? Map.of() : current.lag();
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        var config = wiring.config();
        var kafka = config.kafka();
        KafkaConnection connection = kafka.connection("apply --from kafka");
        // A Debezium topic begins with the connector's own snapshot (op r records); nexus-sync's begins where run left off.
        SnapshotMark mark = wiring.checkpoints().loadSnapshotMark();
        if (format == Format.NEXUS_SYNC && mark.state() != SnapshotMark.State.DONE) {
            throw SyncException.persistent("the graph holds no initial snapshot: run nexus-sync run until it reports streaming (it "
                    + "takes the snapshot), stop it, then start capture --to kafka and apply --from kafka", null);
        }
        Checkpoint handedOver = format == Format.NEXUS_SYNC ? wiring.checkpoints().loadCheckpoint() : Checkpoint.NONE;
        ChangeRecordReader reader = switch (format) {
            case NEXUS_SYNC -> {
                ChangeRecordCodec codec = new ChangeRecordCodec(wiring.mapping());
                yield record -> codec.decode(record.value());
            }
            case DEBEZIUM -> new DebeziumRecordReader(new DebeziumChangeDecoder(DebeziumSettings.defaults(), catalogColumnTypes(),
                    wiring.mapping().tables()::contains));
        };
        GraphCommit graph = new GraphCommit(wiring.graphWriter(), wiring.retry(), new AfterCommitStage(wiring.afterCommit()),
                wiring.crossReferencesBehindCircuit(), wiring.syncLog(), GraphCommit.Acknowledger.NONE);
        // Lanes: nexus-sync's own records come with capture's critical topic, read first; a Debezium topic has none.
        String criticalTopic = format == Format.NEXUS_SYNC ? kafka.criticalTopic() : null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientConfigs.applyConsumer(connection, kafka.group(), config.batchSize()))) {
            KafkaApply next = new KafkaApply(consumer, kafka.group(), kafka.topic(), criticalTopic, reader,
                    new GraphPlanner(wiring.mapping()), graph,
                    wiring.consumerOffsets(), handedOver, config.batchDelay().multipliedBy(10), (operation, failure, attempt, wait) ->
                    log.warn("{} failed (attempt {}), retrying in {} ms: {}", operation, attempt, wait.toMillis(), failure.getMessage()));
            next.onFirstAssignment(partition -> partitionListeners.forEach(l -> l.accept(partition)));
            // Where run puts them, one set per consumer group (so per graph); counted in status and /metrics as run's are.
            next.deadLetters(countedInProgress(wiring.deadLetters().forConsumerGroup(kafka.group(), format == Format.DEBEZIUM)));
            apply = next;
            progress.stateChanged(ServiceState.STREAMING, null);
            log.info("applying {} (group {}, critical lane: {}) to the graph", kafka.topic(), kafka.group(),
                    criticalTopic == null ? "none" : criticalTopic);
            context.ready();
            if (!stopping) {
                next.run();
            }
        }
    }

    private DeadLetterStore countedInProgress(DeadLetterStore store) {
        return new DeadLetterStore() {
            @Override
            public long record(DeadLetter letter) {
                long id = store.record(letter);
                progress.deadLettered(letter.isHead() ? 1 : 0, letter.isHead() ? 0 : 1);
                return id;
            }

            @Override
            public Map<String, Parked> parkedEntities() {
                return store.parkedEntities();
            }
        };
    }

    /**
     * The mapped tables' column types, read at each session's start: events written without schemas
     * ({@code value.converter.schemas.enable=false}) say by their JSON alone neither a timestamp's unit nor a numeric's
     * scale, which the column's declared type does; with schemas, the event's own schema decides the encoding.
     */
    private ColumnTypes catalogColumnTypes() {
        Set<String> schemas = new TreeSet<>();
        for (TableId table : wiring.mapping().tables()) {
            schemas.add(table.schema());
        }
        Catalog catalog = CatalogReader.read(wiring.config().postgres(), schemas);
        return (table, column) -> catalog.table(table).flatMap(t -> t.column(column)).map(Catalog.Column::displayType);
    }

    @Override
    public void restarting(SyncException failure, Duration wait) {
        progress.stateChanged(ServiceState.RECONNECTING, failure);
        log.warn("apply interrupted ({}); starting again from the graph's offsets in {} ms", failure.getMessage(), wait.toMillis());
    }

    @Override
    public void stop() {
        stopping = true;
        KafkaApply current = apply;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public Duration stopGrace() {
        return Duration.ofSeconds(30);
    }
}
