package io.nexussync.app.cli;

import io.nexussync.app.config.KafkaSettings;
import io.nexussync.kafka.ChangeTopic;
import io.nexussync.kafka.KafkaClientConfigs;
import io.nexussync.kafka.KafkaConnection;
import io.nexussync.kafka.KafkaTopics;
import io.nexussync.kafka.TopicsReport;
import io.nexussync.kafka.capture.CaptureProgress;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/** {@code setup --kafka}: the change topic, its critical topic (the same partitions and retention) and capture's progress topic, created or checked. */
final class KafkaSetup {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaSetup() {}

    /** @return true when the topics are as configured */
    static boolean run(KafkaSettings kafka, CliContext context) {
        KafkaConnection connection = kafka.connection("setup --kafka");
        ChangeTopic changes = ChangeTopic.of(kafka.topic(), kafka.partitions(), kafka.retention())
                .withReplication(kafka.replicationFactor(), Math.max(1, kafka.replicationFactor() - 1));
        TopicsReport report;
        try (KafkaTopics topics = KafkaTopics.open(KafkaClientConfigs.admin(connection), TIMEOUT)) {
            ChangeTopic critical = ChangeTopic.of(kafka.criticalTopic(), kafka.partitions(), kafka.retention())
                    .withReplication(kafka.replicationFactor(), Math.max(1, kafka.replicationFactor() - 1));
            report = topics.ensure(List.of(changes, critical));
        }
        report.lines().forEach(context.out()::println);
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(connection))) {
            boolean created = CaptureProgress.ensureTopic(admin, kafka.progressTopic(), kafka.replicationFactor(), TIMEOUT);
            context.out().println((created ? "created " : "checked ") + kafka.progressTopic() + " (capture progress: 1 partition, compacted)");
        }
        return report.ok();
    }
}
