package io.nexussync.kafka;

import java.util.List;

/** What {@link KafkaTopics} found, or did, for one {@link ChangeTopic}. */
public sealed interface TopicOutcome {
    String topic();

    /** True when the topic is there and as asked (whether it was there before or has just been created). */
    default boolean usable() {
        return this instanceof Created || this instanceof AsConfigured;
    }

    record Created(String topic, int partitions) implements TopicOutcome {}

    record AsConfigured(String topic) implements TopicOutcome {}

    /** Only from a check: {@link KafkaTopics#ensure} creates a missing topic. */
    record Missing(String topic, String fix) implements TopicOutcome {}

    /** An existing topic that is not as asked; left as it is, since each fix moves data or drops it. */
    record Mismatched(String topic, List<TopicProblem> problems) implements TopicOutcome {
        public Mismatched {
            problems = List.copyOf(problems);
        }
    }
}
