package io.nexussync.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TopicCheckTest {
    private static final TopicCheck CHECK = new TopicCheck("broker:9092");
    private static final ChangeTopic WANTED = ChangeTopic.of("changes", 6, Duration.ofDays(7)).withReplication(3, 2);
    private static final long SEVEN_DAYS_MS = Duration.ofDays(7).toMillis();

    @Test
    void shouldFindNothingWrongWithATopicAsAsked() {
        assertThat(CHECK.problems(WANTED, new ObservedTopic("changes", 6, 3, SEVEN_DAYS_MS, "delete", 2))).isEmpty();
    }

    @Test
    void shouldAcceptMoreOfWhatIsHarmless() {
        ObservedTopic generous = new ObservedTopic("changes", 12, 5, -1, "delete", 3);

        assertThat(CHECK.problems(WANTED, generous)).isEmpty();
    }

    @Test
    void shouldReportEachShortfallWithItsFix() {
        ObservedTopic wrong = new ObservedTopic("changes", 2, 1, Duration.ofHours(1).toMillis(), "compact", 1);

        List<TopicProblem> problems = CHECK.problems(WANTED, wrong);

        assertThat(problems).extracting(TopicProblem::what).satisfiesExactly(
                partitions -> assertThat(partitions).contains("has 2 partitions, 6 configured"),
                retention -> assertThat(retention).contains("retention.ms is 3600000, shorter than the 604800000"),
                cleanup -> assertThat(cleanup).contains("cleanup.policy is compact"),
                replicas -> assertThat(replicas).contains("1 replicas per partition, 3 configured"),
                minIsr -> assertThat(minIsr).contains("min.insync.replicas is 1, 2 configured"));
        assertThat(problems).extracting(TopicProblem::fix).satisfiesExactly(
                partitions -> assertThat(partitions).contains("--alter --topic changes --partitions 6"),
                retention -> assertThat(retention).contains("--entity-name changes --add-config retention.ms=604800000"),
                cleanup -> assertThat(cleanup).contains("--add-config cleanup.policy=delete"),
                replicas -> assertThat(replicas).contains("kafka-reassign-partitions.sh --bootstrap-server broker:9092"),
                minIsr -> assertThat(minIsr).contains("--add-config min.insync.replicas=2"));
    }

    @Test
    void shouldTakeCompactAndDeleteForCompaction() {
        ObservedTopic both = new ObservedTopic("changes", 6, 3, SEVEN_DAYS_MS, "compact,delete", 2);

        assertThat(CHECK.problems(WANTED, both)).extracting(TopicProblem::what)
                .singleElement().asString().contains("cleanup.policy is compact,delete");
    }

    @Test
    void shouldLeaveReplicasUncheckedWhenTheBrokersDefaultsAreAsked() {
        ChangeTopic defaults = ChangeTopic.of("changes", 6, Duration.ofDays(7));

        assertThat(CHECK.problems(defaults, new ObservedTopic("changes", 6, 1, SEVEN_DAYS_MS, "delete", 1))).isEmpty();
    }

    @Test
    void shouldNameTheCreateCommandForAMissingTopic() {
        assertThat(CHECK.createFix(WANTED)).isEqualTo("run nexus-sync setup --kafka, or kafka-topics.sh --bootstrap-server"
                + " broker:9092 --create --topic changes --partitions 6 --replication-factor 3 --config cleanup.policy=delete"
                + " --config retention.ms=604800000 --config min.insync.replicas=2");
    }

    @Test
    void shouldRefuseATopicThatCouldNeverBeUsed() {
        assertThatThrownBy(() -> new ChangeTopic("bad name!", 0, OptionalInt.of(1), Duration.ZERO, OptionalInt.of(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic name 'bad name!' is not a Kafka topic name")
                .hasMessageContaining("partitions is 0, must be at least 1")
                .hasMessageContaining("retention is PT0S, must be positive")
                .hasMessageContaining("min.insync.replicas 2 exceeds its replication factor 1");
    }

    @Test
    void shouldPrintEachOutcomeOnItsLines() {
        TopicsReport report = new TopicsReport(List.of(
                new TopicOutcome.Created("a", 3),
                new TopicOutcome.AsConfigured("b"),
                new TopicOutcome.Mismatched("c", List.of(new TopicProblem("has 1 partitions, 3 configured", "alter it")))));

        assertThat(report.ok()).isFalse();
        assertThat(report.lines()).containsExactly(
                "topic a: created with 3 partitions",
                "topic b: present and as configured",
                "topic c: not as configured\n  - has 1 partitions, 3 configured (fix: alter it)");
    }
}
