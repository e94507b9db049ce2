package io.nexussync.core.apply;

/**
 * Where the apply role consumed one record: what names a change in Kafka, kept with a dead letter so a person can find
 * the record ({@code kafka-console-consumer --partition P --offset O}) and see which graph's consumer group refused it.
 */
public record ConsumedAt(String group, String topic, int partition, long offset) {
    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + " (group " + group + ")";
    }
}
