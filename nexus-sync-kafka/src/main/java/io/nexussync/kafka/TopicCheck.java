package io.nexussync.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compares an existing topic with what nexus-sync needs of it. Only what would hurt counts: more partitions, longer
 * retention, more replicas or a higher {@code min.insync.replicas} than asked are fine.
 */
final class TopicCheck {
    private final String bootstrapServers;

    TopicCheck(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    List<TopicProblem> problems(ChangeTopic wanted, ObservedTopic observed) {
        String topic = wanted.name();
        List<TopicProblem> problems = new ArrayList<>();
        if (observed.partitions() < wanted.partitions()) {
            problems.add(new TopicProblem(
                    "has " + observed.partitions() + " partitions, " + wanted.partitions() + " configured: fewer apply"
                            + " instances can share it",
                    "with capture stopped and every apply group caught up (a key's later changes go to another partition"
                            + " once partitions are added), kafka-topics.sh --bootstrap-server " + bootstrapServers
                            + " --alter --topic " + topic + " --partitions " + wanted.partitions()
                            + "; or configure " + observed.partitions() + " partitions"));
        }
        if (observed.retentionMs() != -1 && observed.retentionMs() < wanted.retentionMs()) {
            problems.add(new TopicProblem(
                    "retention.ms is " + observed.retentionMs() + ", shorter than the " + wanted.retentionMs()
                            + " configured: changes would be deleted before an apply role that is down that long reads them",
                    alterConfig(topic, "retention.ms=" + wanted.retentionMs())));
        }
        if (Arrays.stream(observed.cleanupPolicy().split(",")).map(String::trim).anyMatch("compact"::equals)) {
            problems.add(new TopicProblem(
                    "cleanup.policy is " + observed.cleanupPolicy() + ": compaction keeps only a key's last change and"
                            + " apply needs every change in order",
                    alterConfig(topic, "cleanup.policy=" + ChangeTopic.CLEANUP_POLICY)));
        }
        wanted.replicationFactor().ifPresent(replicas -> {
            if (observed.replicationFactor() < replicas) {
                problems.add(new TopicProblem(
                        "has " + observed.replicationFactor() + " replicas per partition, " + replicas + " configured",
                        "add replicas with kafka-reassign-partitions.sh --bootstrap-server " + bootstrapServers
                                + " (a plan listing " + replicas + " brokers per partition of " + topic + ")"));
            }
        });
        wanted.minInsyncReplicas().ifPresent(minIsr -> {
            if (observed.minInsyncReplicas() < minIsr) {
                problems.add(new TopicProblem(
                        "min.insync.replicas is " + observed.minInsyncReplicas() + ", " + minIsr + " configured: a"
                                + " committed change could live on fewer brokers than asked",
                        alterConfig(topic, "min.insync.replicas=" + minIsr)));
            }
        });
        return problems;
    }

    String createFix(ChangeTopic wanted) {
        return "run nexus-sync setup --kafka, or kafka-topics.sh --bootstrap-server " + bootstrapServers + " --create --topic "
                + wanted.name() + " --partitions " + wanted.partitions()
                + wanted.replicationFactor().stream().mapToObj(replicas -> " --replication-factor " + replicas).findFirst().orElse("")
                + " --config cleanup.policy=" + ChangeTopic.CLEANUP_POLICY + " --config retention.ms=" + wanted.retentionMs()
                + wanted.minInsyncReplicas().stream().mapToObj(minIsr -> " --config min.insync.replicas=" + minIsr).findFirst().orElse("");
    }

    private String alterConfig(String topic, String setting) {
        return "kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics --entity-name "
                + topic + " --add-config " + setting;
    }
}
