package io.nexussync.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a client reaches the brokers: the bootstrap list and the user's own client settings (TLS, SASL, client ids,
 * timeouts: {@code kafka.client-properties}). Every client {@link KafkaClientConfigs} builds starts from it, so no role
 * and no command can open a connection without the user's security settings.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> clientProperties) {
    public KafkaConnection {
        clientProperties = Map.copyOf(clientProperties);
    }

    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /** The settings' names only: their values may be passwords (a JAAS line, a key store's). */
    @Override
    public String toString() {
        return "KafkaConnection[" + bootstrapServers + ", client settings " + new TreeMap<>(clientProperties).keySet() + "]";
    }
}
