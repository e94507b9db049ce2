package io.nexussync.kafka;

import java.util.List;

/** The outcome for each topic asked for, in the order asked; {@link #lines()} is what {@code setup --kafka} prints. */
public record TopicsReport(List<TopicOutcome> outcomes) {
    public TopicsReport {
        outcomes = List.copyOf(outcomes);
    }

    /** True when every topic is there and as asked: the capture role may start. */
    public boolean ok() {
        return outcomes.stream().allMatch(TopicOutcome::usable);
    }

    public boolean createdAny() {
        return outcomes.stream().anyMatch(outcome -> outcome instanceof TopicOutcome.Created);
    }

    public List<String> lines() {
        return outcomes.stream().map(TopicsReport::line).toList();
    }

    private static String line(TopicOutcome outcome) {
        if (outcome instanceof TopicOutcome.Created created) {
            return "topic " + created.topic() + ": created with " + created.partitions() + " partitions";
        } else if (outcome instanceof TopicOutcome.AsConfigured configured) {
            return "topic " + configured.topic() + ": present and as configured";
        } else if (outcome instanceof TopicOutcome.Missing missing) {
            return "topic " + missing.topic() + ": missing (fix: " + missing.fix() + ")";
        } else if (outcome instanceof TopicOutcome.Mismatched mismatched) {
            StringBuilder line = new StringBuilder("topic " + mismatched.topic() + ": not as configured");
            mismatched.problems().forEach(problem -> line.append("\n  - ").append(problem));
            return line.toString();
        }
        throw new IllegalStateException("unknown topic outcome " + outcome);
    }
}
