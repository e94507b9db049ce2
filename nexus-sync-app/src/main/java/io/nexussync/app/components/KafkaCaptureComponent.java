package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.capture.CapturedChangeFeed;
import io.nexussync.core.capture.TransactionReader;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.pipeline.ServiceState;
import io.nexussync.core.pipeline.SyncProgress;
import io.nexussync.kafka.KafkaClientConfigs;
import io.nexussync.kafka.KafkaConnection;
import io.nexussync.kafka.capture.CaptureProgress;
import io.nexussync.kafka.capture.KafkaCapture;
import io.nexussync.kafka.records.ChangeRecordCodec;
import io.nexussync.postgres.capture.PgReplicationSource;
import io.nexussync.postgres.slot.SlotInUseException;
import java.time.Duration;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture role's one component: a session opens a transactional producer (fencing an earlier capture of the slot),
 * reads the last progress record, streams the slot and publishes ({@link KafkaCapture}). A broken connection on either
 * side ends the session; the next starts from the slot's confirmed position and the progress record again.
 */
public final class KafkaCaptureComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(KafkaCaptureComponent.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

    private final ServiceWiring wiring;
    private final SyncProgress progress;
    private volatile KafkaCapture capture;
    private volatile boolean stopping;
    private volatile boolean streamedBefore;

    public KafkaCaptureComponent(ServiceWiring wiring, SyncProgress progress) {
        this.wiring = wiring;
        this.progress = progress;
    }

    /** The transactional id of a slot's capture: the same for every incarnation, so the newest fences the others. */
    public static String transactionalId(String slot) {
        return "nexus-sync-capture." + slot;
    }

    @Override
    public String name() {
        return "capture";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        var config = wiring.config();
        var kafka = config.kafka();
        KafkaConnection connection = kafka.connection("capture --to kafka");
        CaptureProgress publishedUpTo = new CaptureProgress(kafka.progressTopic(), config.postgres().slot());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClientConfigs.captureProducer(connection,
                transactionalId(config.postgres().slot())))) {
            producer.initTransactions();
            Lsn published;
            try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(KafkaClientConfigs.progressReader(connection))) {
                published = publishedUpTo.lastPublished(reader, KAFKA_TIMEOUT);
            }
            try (PgReplicationSource source = PgReplicationSource.start(config.postgres(), published, config.queueCapacity(), config.heartbeat())) {
                KafkaCapture next = new KafkaCapture(new CapturedChangeFeed(source, new TransactionReader()), producer,
                        new ChangeRecordCodec(wiring.mapping()), kafka.topic(), kafka.criticalTopic(),
                        new io.nexussync.kafka.capture.CriticalRouting(wiring.mapping(), config.laneCacheEntries()), publishedUpTo,
                        new KafkaCapture.Batching(config.batchSize(), config.batchDelay()), wiring.preparedTransactions(), wiring.clock());
                capture = next;
                streamedBefore = true;
                log.info("publishing slot {} to {} (critical lane: {}) from after {}", config.postgres().slot(), kafka.topic(), kafka.criticalTopic(),
                        published.isValid() ? published : "its start");
                context.ready();
                progress.stateChanged(ServiceState.STREAMING, null);
                if (!stopping) {
                    next.run(published);
                }
            }
        } catch (KafkaException e) {
            throw SyncException.retryable("Kafka at " + connection.bootstrapServers() + " failed (" + e.getClass().getSimpleName() + "); capture starts again "
                    + "from its last progress record", e);
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
        log.warn("capture interrupted ({}); starting again from the last progress record in {} ms", failure.getMessage(), wait.toMillis());
    }

    @Override
    public void stop() {
        stopping = true;
        KafkaCapture current = capture;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public Duration stopGrace() {
        return Duration.ofSeconds(30);
    }
}
