package io.nexussync.app.config;

import io.nexussync.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Map;

/**
 * The capture and apply roles' Kafka settings ({@code kafka.*}). Only those roles and {@code setup --kafka} read them;
 * an empty bootstrap list is an error only there, with the fix in its message.
 */
public record KafkaSettings(String bootstrapServers, String topic, String progressTopic, int partitions, int replicationFactor,
                            Duration retention, String group, String criticalTopic, Map<String, String> clientProperties) {

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
    }

    /** The critical topic's name when {@code kafka.critical-topic} is empty: the change topic's, with ".critical". */
    public static String defaultCriticalTopic(String topic) {
        return topic + ".critical";
    }

    public boolean configured() {
        return bootstrapServers != null && !bootstrapServers.isBlank();
    }

    /** The bootstrap servers, or a ConfigException naming the setting when none are given. */
    public String requireBootstrapServers(String role) {
        if (!configured()) {
            throw new ConfigException(java.util.List.of(ConfigKey.KAFKA_BOOTSTRAP.environment() + " (" + ConfigKey.KAFKA_BOOTSTRAP.key()
                    + ") is empty, and " + role + " needs Kafka: set it to the brokers' host:port list"));
        }
        return bootstrapServers;
    }

    /** The brokers and the user's client settings, or a ConfigException naming the setting when no brokers are given. */
    public KafkaConnection connection(String role) {
        return new KafkaConnection(requireBootstrapServers(role), clientProperties);
    }

    /** The client settings' names only: their values may be passwords. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", progressTopic=" + progressTopic
                + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor + ", retention=" + retention + ", group=" + group
                + ", criticalTopic=" + criticalTopic + ", clientProperties=" + new java.util.TreeSet<>(clientProperties.keySet()) + "]";
    }
}
