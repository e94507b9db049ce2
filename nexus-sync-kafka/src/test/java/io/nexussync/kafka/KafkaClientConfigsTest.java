package io.nexussync.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The user's client settings (TLS, SASL) reach every client nexus-sync opens, and cannot undo what its guarantees rest on. */
class KafkaClientConfigsTest {
    private static final Map<String, String> SASL_SSL = Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sync\" password=\"s3cret\";",
            "ssl.truststore.location", "/etc/kafka/truststore.p12");
    private static final KafkaConnection CONNECTION = new KafkaConnection("broker:9093", SASL_SSL);

    @Test
    void shouldGiveTheUsersClientSettingsToEveryClient() {
        for (Map<String, Object> config : List.of(KafkaClientConfigs.captureProducer(CONNECTION, "nexus-sync-capture.slot"),
                KafkaClientConfigs.progressReader(CONNECTION), KafkaClientConfigs.applyConsumer(CONNECTION, "group", 500),
                KafkaClientConfigs.admin(CONNECTION))) {
            assertThat(config).containsAllEntriesOf(SASL_SSL).containsEntry("bootstrap.servers", "broker:9093");
        }
    }

    @Test
    void shouldLetTheUserTuneTheDefaultsButNotTheGuarantees() {
        KafkaConnection tuned = new KafkaConnection("broker:9093", Map.of("linger.ms", "20", "compression.type", "zstd", "max.poll.records", "100"));

        assertThat(KafkaClientConfigs.captureProducer(tuned, "id")).containsEntry("linger.ms", "20").containsEntry("compression.type", "zstd")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", true).containsEntry("transactional.id", "id");
        assertThat(KafkaClientConfigs.applyConsumer(tuned, "group", 500)).containsEntry("max.poll.records", "100")
                .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false);
        for (String reserved : List.of("acks", "isolation.level", "transactional.id", "enable.auto.commit", "group.id", "bootstrap.servers")) {
            KafkaConnection undoing = new KafkaConnection("broker:9093", Map.of(reserved, "x"));
            assertThatThrownBy(() -> KafkaClientConfigs.admin(undoing)).as(reserved)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[" + reserved + "]");
        }
    }

    @Test
    void shouldNotPrintTheSettingsValues() {
        assertThat(CONNECTION.toString()).contains("sasl.jaas.config", "broker:9093").doesNotContain("s3cret");
    }
}
