package io.nexussync.kafka.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * How far the capture of one slot has published, kept in Kafka beside the changes: each Kafka transaction of the capture
 * ends with a record keyed by the slot, whose value is the end LSN of the last PostgreSQL transaction in it. The progress
 * topic has one partition and is compacted, so the last record per slot stays however long the capture is idle. A
 * record commits or aborts with the changes it covers, so the last committed one is exactly what the topic holds.
 */
public final class CaptureProgress {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private final String topic;
    private final String slot;

    public CaptureProgress(String topic, String slot) {
        this.topic = topic;
        this.slot = slot;
    }

    /**
     * Creates the progress topic (one partition, compacted) unless it exists; an existing one is checked for both, since a
     * second partition would scatter the records and a deleting policy would lose the last one of an idle capture.
     *
     * @return true when it was created
     */
    public static boolean ensureTopic(Admin admin, String topic, int replicationFactor, Duration timeout) {
        NewTopic wanted = new NewTopic(topic, 1, (short) replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.max(1, replicationFactor - 1))));
        try {
            admin.createTopics(List.of(wanted)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw SyncException.persistent("could not create the capture progress topic " + topic + " ("
                        + e.getCause().getClass().getSimpleName() + "): create it with one partition and cleanup.policy=compact", e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw SyncException.retryable("Kafka did not answer within " + timeout.toSeconds() + " s while creating topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SyncException.persistent("interrupted while creating topic " + topic, e);
        }
        try {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
            var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            var policy = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (partitions != 1 || policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw SyncException.persistent("the capture progress topic " + topic + " has " + partitions + " partitions and cleanup.policy="
                        + (policy == null ? "?" : policy.value()) + ": it needs 1 partition and cleanup.policy=compact (delete it and run "
                        + "setup --kafka again while no capture runs, or name another with kafka.progress-topic)", null);
            }
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw SyncException.retryable("could not describe the capture progress topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SyncException.persistent("interrupted while describing topic " + topic, e);
        }
    }

    /** The record saying everything up to {@code end} is published (sent inside the Kafka transaction that holds it). */
    ProducerRecord<String, byte[]> record(Lsn end, Instant at) {
        ObjectNode value = JSON.createObjectNode();
        value.put("format", FORMAT);
        value.put("end", end.value());
        value.put("endText", end.toString());
        value.put("at", at.toString());
        return new ProducerRecord<>(topic, 0, slot, value.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The end in the last committed progress record of this slot, or {@link Lsn#INVALID} when there is none (the first
     * start). {@code consumer} must read {@code read_committed}; it is assigned the topic's one partition and read to
     * its end. Run after the producer's {@code initTransactions}, which ends an earlier capture's open transaction.
     */
    public Lsn lastPublished(Consumer<String, byte[]> consumer, Duration timeout) {
        TopicPartition partition = new TopicPartition(topic, 0);
        List<TopicPartition> partitions = List.of(partition);
        if (consumer.partitionsFor(topic, timeout).isEmpty()) {
            throw SyncException.persistent("the Kafka topic " + topic + " (capture progress) does not exist: run nexus-sync setup --kafka", null);
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long stop = end.getOrDefault(partition, 0L);
        Lsn last = Lsn.INVALID;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition, timeout) < stop) {
            if (System.nanoTime() > deadline) {
                throw SyncException.retryable("reading the capture progress in " + topic + " took longer than " + timeout.toSeconds() + " s", null);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (slot.equals(record.key())) {
                    last = endOf(record);
                }
            }
        }
        consumer.unsubscribe();
        return last;
    }

    private Lsn endOf(ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode value = JSON.readTree(record.value());
            if (value == null || value.path("format").asInt() != FORMAT || !value.path("end").canConvertToLong()) {
                throw SyncException.persistent("the capture progress record at offset " + record.offset() + " of " + topic
                        + " is not one this version writes (format " + FORMAT + "): was the topic written by another program?", null);
            }
            return Lsn.of(value.get("end").asLong());
        } catch (IOException e) {
            throw SyncException.persistent("the capture progress record at offset " + record.offset() + " of " + topic + " is not JSON", e);
        }
    }
}
