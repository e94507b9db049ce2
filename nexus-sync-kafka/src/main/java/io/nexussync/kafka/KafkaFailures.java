package io.nexussync.kafka;

import io.nexussync.core.error.SyncException;
import java.time.Duration;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Kafka's errors, translated once into what failed and what to do. The Kafka error's class name goes into the message
 * (it is stable and searchable); its text, which may carry broker internals, stays in the cause for the log.
 */
final class KafkaFailures {
    private KafkaFailures() {}

    static SyncException translate(String action, Throwable failure, String bootstrapServers, Duration timeout) {
        String kind = " (" + failure.getClass().getSimpleName() + ")";
        String could = "Kafka at " + bootstrapServers + " could not " + action + kind + ": ";
        if (failure instanceof TimeoutException || failure instanceof java.util.concurrent.TimeoutException) {
            return SyncException.retryable("Kafka at " + bootstrapServers + " did not answer within " + timeout.toSeconds()
                    + " s while trying to " + action + kind + ": check the bootstrap servers and that the brokers are up", failure);
        } else if (failure instanceof AuthenticationException) {
            return SyncException.persistent(could + "the brokers refused the client's credentials; check the Kafka client's"
                    + " security settings (security.protocol, sasl.*, ssl.*)", failure);
        } else if (failure instanceof AuthorizationException) {
            return SyncException.persistent(could + "the client's principal lacks the right; grant it CREATE on the"
                    + " topics (or the cluster), DESCRIBE and DESCRIBE_CONFIGS on the topics", failure);
        } else if (failure instanceof InvalidReplicationFactorException) {
            return SyncException.persistent(could + "the replication factor asked for is more than the brokers that are"
                    + " up; lower it to at most their number, or start the missing brokers", failure);
        } else if (failure instanceof InvalidPartitionsException) {
            return SyncException.persistent(could + "the brokers refuse that partition count; configure fewer partitions",
                    failure);
        } else if (failure instanceof PolicyViolationException) {
            return SyncException.persistent(could + "the brokers' create.topic.policy.class.name refused it; create the"
                    + " topic as that policy allows and run setup again, which will check it", failure);
        } else if (failure instanceof InvalidConfigurationException) {
            return SyncException.persistent(could + "the brokers refuse the topic configuration (retention.ms,"
                    + " min.insync.replicas); check those settings", failure);
        } else if (failure instanceof UnsupportedVersionException) {
            return SyncException.persistent(could + "the brokers do not support this request; upgrade"
                    + " them", failure);
        } else if (failure instanceof RetriableException) {
            return SyncException.retryable(could + "a passing broker condition; run it again", failure);
        }
        return SyncException.persistent(could + "see the service log for the brokers' answer", failure);
    }
}
