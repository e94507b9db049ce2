package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.kafka.ChangeTopic;
import io.nexussync.kafka.KafkaTopics;
import io.nexussync.kafka.TopicOutcome;
import io.nexussync.kafka.TopicProblem;
import io.nexussync.kafka.TopicsReport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code setup --kafka}'s topic work against a real broker: missing topics created as asked, a second run a no-op, a
 * topic made by hand that would lose or reorder changes reported with its fixes and left as it is.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaTopicsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void shouldCreateMissingTopicsAsAskedAndChangeNothingTheSecondTime() throws Exception {
        ChangeTopic changes = ChangeTopic.of(KafkaClients.uniqueTopic("changes"), 3, Duration.ofDays(7));
        ChangeTopic critical = ChangeTopic.of(KafkaClients.uniqueTopic("critical"), 1, Duration.ofDays(2)).withReplication(1, 1);

        TopicsReport first = ensure(List.of(changes, critical));
        TopicsReport second = ensure(List.of(changes, critical));

        assertThat(first.outcomes()).containsExactly(
                new TopicOutcome.Created(changes.name(), 3), new TopicOutcome.Created(critical.name(), 1));
        assertThat(first.ok()).isTrue();
        assertThat(second.outcomes()).containsExactly(
                new TopicOutcome.AsConfigured(changes.name()), new TopicOutcome.AsConfigured(critical.name()));
        assertThat(second.createdAny()).isFalse();
        try (Admin admin = KafkaClients.admin()) {
            assertThat(admin.describeTopics(Set.of(changes.name())).allTopicNames().get().get(changes.name()).partitions()).hasSize(3);
            Config config = topicConfig(admin, changes.name());
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(config.get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
            assertThat(topicConfig(admin, critical.name()).get("min.insync.replicas").value()).isEqualTo("1");
        }
    }

    @Test
    void shouldReportATopicThatWouldLoseChangesAndLeaveItAsItIs() throws Exception {
        String name = KafkaClients.uniqueTopic("handmade");
        try (Admin admin = KafkaClients.admin()) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty()).configs(Map.of(
                    "cleanup.policy", "compact", "retention.ms", Long.toString(Duration.ofHours(1).toMillis()))))).all().get();
        }

        TopicsReport report = ensure(List.of(ChangeTopic.of(name, 3, Duration.ofDays(7))));

        assertThat(report.ok()).isFalse();
        assertThat(report.outcomes()).singleElement().isInstanceOfSatisfying(TopicOutcome.Mismatched.class, mismatched ->
                assertThat(mismatched.problems()).extracting(TopicProblem::what).satisfiesExactly(
                        partitions -> assertThat(partitions).startsWith("has 1 partitions, 3 configured"),
                        retention -> assertThat(retention).startsWith("retention.ms is 3600000, shorter than the 604800000"),
                        cleanup -> assertThat(cleanup).startsWith("cleanup.policy is compact")));
        assertThat(String.join("\n", report.lines()))
                .contains("--alter --topic " + name + " --partitions 3")
                .contains("--entity-name " + name + " --add-config retention.ms=604800000")
                .contains("--entity-name " + name + " --add-config cleanup.policy=delete");
        try (Admin admin = KafkaClients.admin()) {
            assertThat(admin.describeTopics(Set.of(name)).allTopicNames().get().get(name).partitions()).as("left as it was").hasSize(1);
            assertThat(topicConfig(admin, name).get("cleanup.policy").value()).as("left as it was").isEqualTo("compact");
        }
    }

    @Test
    void shouldReportAMissingTopicOnACheckWithoutCreatingIt() throws Exception {
        ChangeTopic changes = ChangeTopic.of(KafkaClients.uniqueTopic("unmade"), 3, Duration.ofDays(7));

        TopicsReport report;
        try (KafkaTopics topics = open(TestServers.kafka().bootstrapServers(), TIMEOUT)) {
            report = topics.check(List.of(changes));
        }

        assertThat(report.ok()).isFalse();
        assertThat(report.lines()).singleElement().asString()
                .startsWith("topic " + changes.name() + ": missing (fix: run nexus-sync setup --kafka, or kafka-topics.sh");
        try (Admin admin = KafkaClients.admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain(changes.name());
        }
    }

    @Test
    void shouldSayWhatToDoWhenNoBrokerAnswers() throws Exception {
        int nobody;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobody = socket.getLocalPort();
        }
        String bootstrap = "127.0.0.1:" + nobody;

        try (KafkaTopics topics = open(bootstrap, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> topics.ensure(List.of(ChangeTopic.of("changes", 3, Duration.ofDays(7)))))
                    .isInstanceOf(SyncException.class)
                    .hasMessage("Kafka at " + bootstrap + " did not answer within 2 s while trying to describe topic changes"
                            + " (TimeoutException): check the bootstrap servers and that the brokers are up")
                    .satisfies(failure -> assertThat(((SyncException) failure).isRetryable()).isTrue());
        }
    }

    private static TopicsReport ensure(List<ChangeTopic> wanted) {
        try (KafkaTopics topics = open(TestServers.kafka().bootstrapServers(), TIMEOUT)) {
            return topics.ensure(wanted);
        }
    }

    private static KafkaTopics open(String bootstrapServers, Duration timeout) {
        return KafkaTopics.open(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), timeout);
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
