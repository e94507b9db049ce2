package io.nexussync.kafka;

import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the change topics a capture role writes, or checks the ones that are there ({@code nexus-sync setup --kafka}).
 * A missing topic is created with the partitions, replicas, retention and {@code cleanup.policy=delete} asked for; an
 * existing one is compared and, when it is not as asked, reported with the fix and left alone, since each fix moves or
 * drops data that an operator should decide about. So a second run changes nothing.
 *
 * <p>Failures of the brokers come out as a {@link SyncException} that says what could not be done and what to do, with
 * the Kafka error's name and never its text or stack trace. One instance owns one {@link Admin} client: close it.
 */
public final class KafkaTopics implements AutoCloseable {
    private final Admin admin;
    private final String bootstrapServers;
    private final Duration timeout;
    private final TopicCheck check;

    private KafkaTopics(Admin admin, String bootstrapServers, Duration timeout) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
        this.check = new TopicCheck(bootstrapServers);
    }

    /**
     * An admin client on {@code clientConfig} (at least {@code bootstrap.servers}; security settings as the capture role's
     * producer has them), each request waiting at most {@code timeout} for the brokers.
     */
    public static KafkaTopics open(Map<String, Object> clientConfig, Duration timeout) {
        Object bootstrap = clientConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (bootstrap == null || bootstrap.toString().isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers given: set them to the brokers' host:port list");
        }
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try {
            return new KafkaTopics(Admin.create(config), bootstrap.toString(), timeout);
        } catch (KafkaException e) {
            throw SyncException.persistent("could not set up a Kafka admin client for " + bootstrap + " ("
                    + e.getClass().getSimpleName() + "): check the bootstrap servers (host:port, comma-separated) and the"
                    + " Kafka client settings", e);
        }
    }

    /** Creates each missing topic and checks each existing one. */
    public TopicsReport ensure(List<ChangeTopic> topics) {
        return inspect(topics, true);
    }

    /** Checks the topics without creating or changing any: a missing one is reported with the command that creates it. */
    public TopicsReport check(List<ChangeTopic> topics) {
        return inspect(topics, false);
    }

    private TopicsReport inspect(List<ChangeTopic> topics, boolean createMissing) {
        requireDistinctNames(topics);
        Map<String, ObservedTopic> existing = describe(topics);
        Map<String, TopicOutcome> outcomes = new LinkedHashMap<>();
        List<ChangeTopic> toCreate = new ArrayList<>();
        for (ChangeTopic topic : topics) {
            ObservedTopic observed = existing.get(topic.name());
            if (observed != null) {
                outcomes.put(topic.name(), compare(topic, observed));
            } else if (createMissing) {
                toCreate.add(topic);
            } else {
                outcomes.put(topic.name(), new TopicOutcome.Missing(topic.name(), check.createFix(topic)));
            }
        }
        outcomes.putAll(create(toCreate));
        return new TopicsReport(topics.stream().map(topic -> outcomes.get(topic.name())).toList());
    }

    private TopicOutcome compare(ChangeTopic wanted, ObservedTopic observed) {
        List<TopicProblem> problems = check.problems(wanted, observed);
        return problems.isEmpty() ? new TopicOutcome.AsConfigured(wanted.name()) : new TopicOutcome.Mismatched(wanted.name(), problems);
    }

    private Map<String, TopicOutcome> create(List<ChangeTopic> topics) {
        Map<String, TopicOutcome> outcomes = new HashMap<>();
        if (topics.isEmpty()) {
            return outcomes;
        }
        List<NewTopic> newTopics = topics.stream().map(KafkaTopics::newTopic).toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        List<ChangeTopic> createdMeanwhile = new ArrayList<>();
        for (ChangeTopic topic : topics) {
            Answer<Void> answer = await(results.get(topic.name()), "create topic " + topic.name());
            if (!answer.failed()) {
                outcomes.put(topic.name(), new TopicOutcome.Created(topic.name(), topic.partitions()));
            } else if (answer.failure() instanceof TopicExistsException) {
                createdMeanwhile.add(topic); // another setup created it since the describe: check it as any existing one
            } else {
                throw KafkaFailures.translate("create topic " + topic.name(), answer.failure(), bootstrapServers, timeout);
            }
        }
        Map<String, ObservedTopic> observed = describe(createdMeanwhile);
        for (ChangeTopic topic : createdMeanwhile) {
            outcomes.put(topic.name(), compare(topic, Objects.requireNonNull(observed.get(topic.name()), topic.name())));
        }
        return outcomes;
    }

    private static NewTopic newTopic(ChangeTopic topic) {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, ChangeTopic.CLEANUP_POLICY);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retentionMs()));
        topic.minInsyncReplicas().ifPresent(minIsr -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minIsr)));
        Optional<Short> replicas = topic.replicationFactor().isPresent()
                ? Optional.of((short) topic.replicationFactor().getAsInt()) : Optional.empty();
        return new NewTopic(topic.name(), Optional.of(topic.partitions()), replicas).configs(configs);
    }

    /** The topics among {@code topics} that exist, with their partitions, replicas and configuration. */
    private Map<String, ObservedTopic> describe(List<ChangeTopic> topics) {
        Map<String, ObservedTopic> observed = new HashMap<>();
        if (topics.isEmpty()) {
            return observed;
        }
        Map<String, KafkaFuture<TopicDescription>> descriptions =
                admin.describeTopics(topics.stream().map(ChangeTopic::name).toList()).topicNameValues();
        Map<String, TopicDescription> existing = new HashMap<>();
        for (ChangeTopic topic : topics) {
            Answer<TopicDescription> answer = await(descriptions.get(topic.name()), "describe topic " + topic.name());
            if (!answer.failed()) {
                existing.put(topic.name(), answer.value());
            } else if (!(answer.failure() instanceof UnknownTopicOrPartitionException)) {
                throw KafkaFailures.translate("describe topic " + topic.name(), answer.failure(), bootstrapServers, timeout);
            }
        }
        if (existing.isEmpty()) {
            return observed;
        }
        List<ConfigResource> resources = existing.keySet().stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, KafkaFuture<Config>> configs = admin.describeConfigs(resources).values();
        for (ConfigResource resource : resources) {
            String action = "read the configuration of topic " + resource.name();
            Answer<Config> answer = await(configs.get(resource), action);
            if (answer.failed()) {
                throw KafkaFailures.translate(action, answer.failure(), bootstrapServers, timeout);
            }
            observed.put(resource.name(), observe(existing.get(resource.name()), answer.value()));
        }
        return observed;
    }

    private static ObservedTopic observe(TopicDescription description, Config config) {
        int replicas = description.partitions().stream().mapToInt(partition -> partition.replicas().size()).min().orElse(0);
        return new ObservedTopic(description.name(), description.partitions().size(), replicas,
                Long.parseLong(value(config, TopicConfig.RETENTION_MS_CONFIG, "-1")),
                value(config, TopicConfig.CLEANUP_POLICY_CONFIG, ChangeTopic.CLEANUP_POLICY),
                Integer.parseInt(value(config, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1")));
    }

    private static String value(Config config, String name, String absent) {
        ConfigEntry entry = config.get(name);
        return entry == null || entry.value() == null ? absent : entry.value();
    }

    /** What a Kafka request came to: its value, or the failure Kafka reported (a timeout included). */
    private record Answer<T>(T value, Throwable failure) {
        boolean failed() {
            return failure != null;
        }
    }

    private <T> Answer<T> await(KafkaFuture<T> future, String action) {
        try {
            return new Answer<>(future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS), null);
        } catch (ExecutionException e) {
            return new Answer<>(null, e.getCause() == null ? e : e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            return new Answer<>(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SyncException.persistent("interrupted while waiting for Kafka to " + action, e);
        }
    }

    private static void requireDistinctNames(List<ChangeTopic> topics) {
        Set<String> names = new HashSet<>();
        for (ChangeTopic topic : topics) {
            if (!names.add(topic.name())) {
                throw new IllegalArgumentException("topic " + topic.name() + " is configured twice: give each change topic its own name");
            }
        }
    }

    @Override
    public void close() {
        admin.close(timeout);
    }
}
