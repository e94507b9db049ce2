package io.nexussync.it.testkit;

import io.nexussync.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Real Kafka clients on the shared {@link EmbeddedKafka}, configured as the capture and apply roles will be. */
public final class KafkaClients {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private KafkaClients() {}

    /** A name no other test uses, so test classes share the broker without seeing each other's records. */
    public static String uniqueTopic(String purpose) {
        return purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers()));
    }

    /** The capture role's producer: transactional (so idempotent), every write acknowledged by all in-sync replicas. */
    public static KafkaProducer<String, String> transactionalProducer(String transactionalId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        config.putAll(overrides);
        return new KafkaProducer<>(config);
    }

    /**
     * Every record of {@code topic} that a consumer with {@code isolation} can read now, partition by partition from the
     * beginning up to the end it is allowed to see (for {@code read_committed}: the last stable offset, before any open
     * transaction).
     */
    public static List<ConsumerRecord<String, String>> readAll(String topic, IsolationLevel isolation) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.name().toLowerCase(java.util.Locale.ROOT),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, READ_TIMEOUT);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition, READ_TIMEOUT) < ends.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + ends + " within " + READ_TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /**
     * Waits until the graph's next offset ({@code _SyncKafkaOffset}) of every partition of {@code topic} is the
     * partition's end, and still is {@code settle} later (what arrives meanwhile, such as the echoes of a write-back,
     * is taken too); {@code role} fails the wait as soon as the apply role stopped on an error.
     */
    public static void awaitGraphOffsetsAtEnd(SyncEnvironment env, String topic, Duration atMost, Duration settle, InProcessRole role)
            throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        Map<Integer, Long> graph = Map.of();
        Map<Integer, Long> ends = Map.of();
        Map<Integer, Long> reachedBefore = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            while (System.nanoTime() < deadline) {
                role.assertAlive();
                ends = new TreeMap<>();
                for (var end : consumer.endOffsets(partitions, READ_TIMEOUT).entrySet()) {
                    ends.put(end.getKey().partition(), end.getValue());
                }
                graph = new TreeMap<>();
                for (var row : env.cypher("MATCH (o:`_SyncKafkaOffset` {topic: $topic}) RETURN o.partition AS p, o.next AS next", Map.of("topic", topic))) {
                    graph.put(row.get("p").asInt(), row.get("next").asLong());
                }
                if (graph.equals(ends) && ends.equals(reachedBefore)) {
                    return;
                }
                reachedBefore = graph.equals(ends) ? ends : null;
                Thread.sleep(reachedBefore != null ? settle.toMillis() : 300);
            }
        }
        throw new AssertionError("apply did not reach the topic's end " + ends + " within " + atMost + ": the graph holds " + graph);
    }
}
