package io.nexussync.kafka.apply;

import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How far one graph (a consumer group) is behind the change topic, from the offsets the graph holds, not the ones committed
 * to Kafka (which only lag tools read): per partition, the end a {@code read_committed} consumer may read to, minus the
 * graph's next offset.
 */
public final class GroupLag {
    /** One partition: the graph's next offset (null: it applied nothing of it yet), the topic's end, and the records between. */
    public record PartitionLag(int partition, Long graphOffset, long endOffset, long lag) {}

    private GroupLag() {}

    /** @param graphOffsets the graph's next offset per partition ({@code ConsumerOffsetStore.loadOffsets}) */
    public static List<PartitionLag> read(Admin admin, String topic, Map<Integer, Long> graphOffsets, Duration timeout) {
        try {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            }
            ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
            var ends = admin.listOffsets(latest, committed).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            var starts = admin.listOffsets(earliest, committed).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<PartitionLag> lags = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                TopicPartition partition = new TopicPartition(topic, p);
                long end = ends.get(partition).offset();
                Long applied = graphOffsets.get(p);
                long from = applied != null ? applied : starts.get(partition).offset();
                lags.add(new PartitionLag(p, applied, end, Math.max(0, end - from)));
            }
            return lags;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw SyncException.retryable("could not read the end offsets of " + topic + " from Kafka ("
                    + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SyncException.persistent("interrupted while reading the end offsets of " + topic, e);
        }
    }
}
