package io.nexussync.it;

import static io.nexussync.it.testkit.KafkaClients.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.it.testkit.KafkaClients;
import io.nexussync.it.testkit.TestServers;
import io.nexussync.kafka.ChangeTopic;
import io.nexussync.kafka.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the capture role relies on, against a real broker with real clients: a transaction spanning partitions is seen
 * by a {@code read_committed} consumer whole or not at all; an aborted transaction, or the open transaction of a producer
 * that died (a new instance with the same {@code transactional.id} fences it), is never seen; one key's records stay in
 * one partition in send order. Each test also reads {@code read_uncommitted}, to show that what it says is invisible was
 * written to the log.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaTransactionsIT {
    private static final int PARTITIONS = 3;
    private static final IsolationLevel APPLY_ISOLATION = IsolationLevel.READ_COMMITTED;

    private final List<KafkaProducer<String, String>> producers = new ArrayList<>();
    private String topic;

    @BeforeEach
    void createTopic() {
        topic = KafkaClients.uniqueTopic("changes");
        try (KafkaTopics topics = KafkaTopics.open(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers()),
                Duration.ofSeconds(30))) {
            assertThat(topics.ensure(List.of(ChangeTopic.of(topic, PARTITIONS, Duration.ofDays(1)))).ok()).isTrue();
        }
    }

    @AfterEach
    void closeProducers() {
        producers.forEach(producer -> producer.close(Duration.ZERO));
    }

    @Test
    void shouldShowATransactionAcrossPartitionsWholeOnceCommittedAndNothingBefore() {
        KafkaProducer<String, String> producer = producer("capture-whole");
        producer.beginTransaction();
        List<String> sent = sendToEveryPartition(producer, "tx1");
        producer.flush();

        assertThat(values(readAll(topic, IsolationLevel.READ_UNCOMMITTED))).as("written to the log").containsExactlyInAnyOrderElementsOf(sent);
        assertThat(readAll(topic, APPLY_ISOLATION)).as("an open transaction shows nothing").isEmpty();

        producer.commitTransaction();

        List<ConsumerRecord<String, String>> committed = readAll(topic, APPLY_ISOLATION);
        assertThat(values(committed)).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(committed).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
    }

    @Test
    void shouldNeverShowAnAbortedTransaction() {
        KafkaProducer<String, String> producer = producer("capture-abort");
        producer.beginTransaction();
        List<String> aborted = sendToEveryPartition(producer, "aborted");
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        List<String> committed = sendToEveryPartition(producer, "after");
        producer.commitTransaction();

        assertThat(values(readAll(topic, IsolationLevel.READ_UNCOMMITTED))).as("written to the log").containsAll(aborted);
        assertThat(values(readAll(topic, APPLY_ISOLATION))).containsExactlyInAnyOrderElementsOf(committed);
    }

    @Test
    void shouldAbortTheOpenTransactionOfAProducerFencedByItsSuccessor() {
        KafkaProducer<String, String> dying = producer("capture-fenced");
        dying.beginTransaction();
        List<String> lost = sendToEveryPartition(dying, "dying");
        dying.flush();

        // a restarted capture: same transactional.id; its initTransactions aborts what the old instance left open
        KafkaProducer<String, String> successor = producer("capture-fenced");
        assertThatThrownBy(dying::commitTransaction).as("the old instance can commit nothing any more")
                .isInstanceOf(ProducerFencedException.class);
        successor.beginTransaction();
        List<String> committed = sendToEveryPartition(successor, "successor");
        successor.commitTransaction();

        assertThat(values(readAll(topic, IsolationLevel.READ_UNCOMMITTED))).as("written to the log").containsAll(lost);
        assertThat(values(readAll(topic, APPLY_ISOLATION))).containsExactlyInAnyOrderElementsOf(committed);
    }

    @Test
    void shouldKeepEachKeysRecordsInOnePartitionInSendOrder() {
        KafkaProducer<String, String> producer = producer("capture-keys");
        int keys = 13; // prime to the partitions, or a round-robin partitioner would also keep each key in one partition
        int perKey = 20;
        producer.beginTransaction();
        for (int sequence = 0; sequence < perKey; sequence++) {
            for (int key = 0; key < keys; key++) {
                producer.send(new ProducerRecord<>(topic, "entity-" + key, Integer.toString(sequence)));
            }
        }
        producer.commitTransaction();

        Map<String, List<ConsumerRecord<String, String>>> byKey = readAll(topic, APPLY_ISOLATION).stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, LinkedHashMap::new, Collectors.toList()));
        assertThat(byKey).hasSize(keys);
        byKey.forEach((key, records) -> {
            assertThat(records).as(key + "'s partitions").extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
            List<Integer> inOffsetOrder = records.stream().sorted((a, b) -> Long.compare(a.offset(), b.offset()))
                    .map(record -> Integer.parseInt(record.value())).toList();
            assertThat(inOffsetOrder).as(key + " in offset order").isSorted().hasSize(perKey).doesNotHaveDuplicates();
        });
        assertThat(byKey.values().stream().map(records -> records.get(0).partition()).distinct().count())
                .as("partitions the keys went to: one alone would prove nothing").isGreaterThan(1);
    }

    private KafkaProducer<String, String> producer(String transactionalId) {
        KafkaProducer<String, String> producer = KafkaClients.transactionalProducer(transactionalId + "-" + topic, Map.of());
        producers.add(producer);
        producer.initTransactions();
        return producer;
    }

    /** Two records per partition, with the partition given, so the transaction surely spans every partition. */
    private List<String> sendToEveryPartition(KafkaProducer<String, String> producer, String label) {
        List<String> values = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            for (int n = 0; n < 2; n++) {
                String value = label + "-p" + partition + "-" + n;
                producer.send(new ProducerRecord<>(topic, partition, "key-" + n, value));
                values.add(value);
            }
        }
        return values;
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
