package io.nexussync.app.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.components.KafkaApplyComponent;
import io.nexussync.app.service.KafkaRoleService;
import java.util.Map;

/**
 * The admin API of a Kafka role ({@code capture} or {@code apply}): {@code /health}, {@code /status} with the role's own
 * section, and {@code /metrics}, with, for apply, the lag of the partitions it holds. The endpoints that change state
 * belong to {@code run} and are not served here.
 */
public final class RoleAdmin {
    private RoleAdmin() {}

    /** Listens on the role's {@code admin.*} settings; null when {@code admin.port} is -1. */
    public static AdminServer start(KafkaRoleService service) {
        if (!service.config().admin().enabled()) {
            return null;
        }
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdminServer server = new AdminServer(service.config().admin(), service.progress(), metrics, () -> null, Long.MAX_VALUE, null)
                .withStatus("role", service.role()::name);
        if (service.role() instanceof KafkaApplyComponent apply) {
            server.withStatus("writeBack", () -> io.nexussync.app.service.WriteBackStatus.of(service.config()));
            var kafka = service.config().kafka();
            server.withStatus("kafka", () -> Map.of("topic", kafka.topic(), "criticalTopic", kafka.criticalTopic(), "group", kafka.group(),
                    "lagByPartition", lagByPartition(apply), "lag", totalLag(apply), "applied", apply.applied()));
            Gauge.builder("nexus_sync_kafka_consumer_lag", apply, RoleAdmin::totalLag)
                    .description("records of the change and critical topics this apply instance holds and has not applied yet (all its partitions)")
                    .tag("topic", kafka.topic()).tag("group", kafka.group()).register(metrics);
            apply.onFirstAssignment(partition -> Gauge.builder("nexus_sync_kafka_partition_lag", apply,
                            a -> a.lag().getOrDefault(partition, 0L))
                    .description("records of one partition of the change or critical topic not yet applied (0 once it moved to another instance)")
                    .tag("topic", partition.topic()).tag("group", kafka.group()).tag("partition", String.valueOf(partition.partition()))
                    .register(metrics));
        }
        return server;
    }

    /** "topic/partition" to its lag, in order. */
    private static Map<String, Long> lagByPartition(KafkaApplyComponent apply) {
        Map<String, Long> lags = new java.util.TreeMap<>();
        apply.lag().forEach((partition, lag) -> lags.put(partition.topic() + "/" + partition.partition(), lag));
        return lags;
    }

    private static long totalLag(KafkaApplyComponent apply) {
        return apply.lag().values().stream().mapToLong(Long::longValue).sum();
    }
}
