package io.nexussync.kafka.apply;

import io.nexussync.kafka.records.ConsumedChange;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads one record of the change topic into the change it carries, or null for a record that carries none. */
@FunctionalInterface
public interface ChangeRecordReader {
    ConsumedChange read(ConsumerRecord<byte[], byte[]> record);
}
