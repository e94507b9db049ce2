package io.nexussync.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The client settings each role's guarantees rest on, in one place, so that no role can start without them. */
public final class KafkaClientConfigs {
    private KafkaClientConfigs() {}

    /**
     * The capture role's producer: transactional (so a record is seen only with the rest of its Kafka transaction, and a
     * second capture of the same slot fences the first), idempotent, every in-sync replica acknowledging.
     *
     * @param transactionalId the same for every incarnation of one slot's capture, so that a restart fences the one before
     */
    public static Map<String, Object> captureProducer(KafkaConnection connection, String transactionalId) {
        Map<String, Object> config = common(connection);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5); // a default the user may tune
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"); // a default the user may tune
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** Capture reads its last progress record: committed records only, no group. */
    public static Map<String, Object> progressReader(KafkaConnection connection) {
        Map<String, Object> config = common(connection);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /**
     * The apply role's consumer: committed records only, no automatic offset commits (the graph holds the offsets), from
     * the beginning of a partition the graph holds no offset for. The range assignor gives partition n of the change
     * topic and of the critical topic (same count) to the same member, so that member can hold the one back until it
     * has read the other ({@code KafkaApply}).
     */
    public static Map<String, Object> applyConsumer(KafkaConnection connection, String group, int maxRecords) {
        Map<String, Object> config = common(connection);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRecords); // a default the user may tune
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(RangeAssignor.class.getName()));
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    public static Map<String, Object> admin(KafkaConnection connection) {
        return common(connection);
    }

    /**
     * Settings a user's client properties may not set: the guarantees above rest on them (or nexus-sync sets them from
     * its own settings: the brokers, the group).
     */
    public static final Set<String> RESERVED = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);

    /** Which of the user's client settings are {@link #RESERVED}, sorted (empty when none). */
    public static Set<String> reservedAmong(Map<String, String> clientProperties) {
        Set<String> reserved = new java.util.TreeSet<>(clientProperties.keySet());
        reserved.retainAll(RESERVED);
        return reserved;
    }

    /** The user's client settings first, then the brokers; each factory then sets what its guarantees rest on, over them. */
    private static Map<String, Object> common(KafkaConnection connection) {
        Set<String> reserved = reservedAmong(connection.clientProperties());
        if (!reserved.isEmpty()) {
            throw new IllegalArgumentException("Kafka client settings " + reserved + " are nexus-sync's own: remove them from the client properties");
        }
        Map<String, Object> config = new HashMap<>(connection.clientProperties());
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
        return config;
    }
}
