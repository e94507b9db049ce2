package io.nexussync.kafka.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record: its key (the entity, so one entity's changes stay in one partition in stream order) and value.
 * Equal to another with the same key and the same value bytes; {@link #toString()} shows the key and the value's size
 * only, since the value holds a row's values.
 *
 * @param key   what {@link ChangeRecordCodec#encode} names the entity by (see there); never null
 * @param value UTF-8 JSON that {@link ChangeRecordCodec#decode} reads back
 */
public record ChangeRecord(String key, byte[] value) {

    @Override
    public boolean equals(Object other) {
        return other instanceof ChangeRecord that && key.equals(that.key) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "ChangeRecord[key=" + key + ", value=" + value.length + " bytes]";
    }
}
