package io.nexussync.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A change topic as the capture and apply roles need it: its name, how many partitions (every change to one entity goes
 * to one partition, so the count bounds how many apply instances can share the work), how many replicas, how long a
 * change stays readable ({@code retention.ms}: the longest an apply role may be down without losing changes), and, where
 * a producer writes with {@code acks=all}, {@code min.insync.replicas}. The cleanup policy is always {@code delete}:
 * compaction keeps only the last record of a key and an apply role needs every change, in order.
 *
 * @param replicationFactor empty: the brokers' {@code default.replication.factor}
 * @param minInsyncReplicas empty: the brokers' {@code min.insync.replicas}, and no check of it
 */
public record ChangeTopic(String name, int partitions, OptionalInt replicationFactor, Duration retention,
        OptionalInt minInsyncReplicas) {
    public static final String CLEANUP_POLICY = "delete";
    // Kafka's own rule for topic names (Topic.validate), checked here so that the message names our setting
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public ChangeTopic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(replicationFactor, "replicationFactor");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
        List<String> wrong = new ArrayList<>();
        if (!LEGAL_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            wrong.add("topic name '" + name + "' is not a Kafka topic name: use 1 to 249 of the characters a-z A-Z 0-9 . _ -");
        }
        if (partitions < 1) {
            wrong.add("topic " + name + ": partitions is " + partitions + ", must be at least 1");
        }
        if (replicationFactor.isPresent() && (replicationFactor.getAsInt() < 1 || replicationFactor.getAsInt() > Short.MAX_VALUE)) {
            wrong.add("topic " + name + ": replication factor is " + replicationFactor.getAsInt() + ", must be at least 1");
        }
        if (retention.isNegative() || retention.isZero()) {
            wrong.add("topic " + name + ": retention is " + retention + ", must be positive (a change must outlive an apply role's downtime)");
        }
        if (minInsyncReplicas.isPresent()) {
            int minIsr = minInsyncReplicas.getAsInt();
            if (minIsr < 1) {
                wrong.add("topic " + name + ": min.insync.replicas is " + minIsr + ", must be at least 1");
            } else if (replicationFactor.isPresent() && minIsr > replicationFactor.getAsInt()) {
                wrong.add("topic " + name + ": min.insync.replicas " + minIsr + " exceeds its replication factor "
                        + replicationFactor.getAsInt() + ": no write could ever be acknowledged; lower it or add replicas");
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", wrong));
        }
    }

    /** A topic with the brokers' replication defaults. */
    public static ChangeTopic of(String name, int partitions, Duration retention) {
        return new ChangeTopic(name, partitions, OptionalInt.empty(), retention, OptionalInt.empty());
    }

    public ChangeTopic withReplication(int replicationFactor, int minInsyncReplicas) {
        return new ChangeTopic(name, partitions, OptionalInt.of(replicationFactor), retention, OptionalInt.of(minInsyncReplicas));
    }

    public long retentionMs() {
        return retention.toMillis();
    }
}
