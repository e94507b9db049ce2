package io.nexussync.kafka.apply;

import io.nexussync.core.apply.ConsumedAt;
import io.nexussync.core.apply.ConsumedOffsets;
import io.nexussync.core.deadletter.BatchIsolation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The offsets each part of a consumed batch commits with when the batch goes into the graph part by part
 * ({@link BatchIsolation}): per partition, up to its first change not handled yet (applied, dead-lettered or parked), or
 * to the batch's end once all are. Records without a change (a table outside the mapping, a change the graph held before
 * the roles took over) and transaction markers go with the change after them. Parts go in stream order, so a change is
 * written only when every earlier change of its partition is handled: the offset a part stores covers every change that
 * part and the earlier ones wrote, and none they did not handle. So each record's offset is passed exactly once, as for a
 * batch written whole. Used by one batch on the apply thread.
 */
final class PartOffsets {
    private final String group;
    /** Per partition ("topic\0partition"): the next offset the graph holds, moved by each committed part. */
    private final Map<String, Long> stored = new LinkedHashMap<>();
    private final Map<String, Long> end = new LinkedHashMap<>();
    private final Map<String, TreeSet<Long>> changes = new LinkedHashMap<>();
    private final Map<String, String> topics = new LinkedHashMap<>();
    private final Map<String, Integer> partitions = new LinkedHashMap<>();

    PartOffsets(String group, List<ConsumedOffsets.PartitionRange> batch, List<BatchIsolation.Entry> entries) {
        this.group = group;
        for (ConsumedOffsets.PartitionRange range : batch) {
            String key = key(range.topic(), range.partition());
            stored.put(key, range.from());
            end.put(key, range.next());
            changes.put(key, new TreeSet<>());
            topics.put(key, range.topic());
            partitions.put(key, range.partition());
        }
        for (BatchIsolation.Entry entry : entries) {
            ConsumedAt at = entry.consumedAt();
            TreeSet<Long> offsets = changes.get(key(at.topic(), at.partition()));
            if (offsets == null) {
                throw new IllegalArgumentException("a change consumed at " + at + " is outside the batch's ranges " + batch);
            }
            offsets.add(at.offset());
        }
    }

    /** What a part commits with once {@code handled} are: the partitions it moves, from where the graph holds them; null when none moves. */
    ConsumedOffsets after(List<BatchIsolation.Entry> handled) {
        Map<String, Set<Long>> done = new LinkedHashMap<>();
        for (BatchIsolation.Entry entry : handled) {
            ConsumedAt at = entry.consumedAt();
            done.computeIfAbsent(key(at.topic(), at.partition()), k -> new HashSet<>()).add(at.offset());
        }
        List<ConsumedOffsets.PartitionRange> ranges = new ArrayList<>();
        stored.forEach((key, from) -> {
            long to = end.get(key);
            Set<Long> handledHere = done.getOrDefault(key, Set.of());
            for (long offset : changes.get(key)) {
                if (!handledHere.contains(offset)) {
                    to = offset;
                    break;
                }
            }
            if (to > from) {
                ranges.add(new ConsumedOffsets.PartitionRange(topics.get(key), partitions.get(key), from, to));
            }
        });
        return ranges.isEmpty() ? null : new ConsumedOffsets(group, ranges);
    }

    /** The graph committed {@code offsets}: the next part starts from there. */
    void committed(ConsumedOffsets offsets) {
        for (ConsumedOffsets.PartitionRange range : offsets.ranges()) {
            stored.put(key(range.topic(), range.partition()), range.next());
        }
    }

    /** Whether every partition's stored offset is at the batch's end. */
    boolean complete() {
        return stored.entrySet().stream().allMatch(e -> e.getValue().equals(end.get(e.getKey())));
    }

    private static String key(String topic, int partition) {
        return topic + "\u0000" + partition;
    }
}
