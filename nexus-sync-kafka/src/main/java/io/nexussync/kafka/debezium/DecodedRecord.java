package io.nexussync.kafka.debezium;

import io.nexussync.core.model.RowChange;

/** What one Kafka record of a Debezium topic is to nexus-sync: a row change to apply, or a record to pass over. */
public sealed interface DecodedRecord {

    /** A row change, with the source position and commit time the apply side orders and dates it by. */
    record Change(RowChange change, DebeziumSource source) implements DecodedRecord {}

    /**
     * A record that carries no row change: a tombstone (the null value Kafka compaction needs after a delete), a
     * logical decoding message ({@code op = m}), a heartbeat or a transaction metadata record.
     *
     * @param reason says which, for the log and a counter; names no value
     */
    record Skipped(String reason) implements DecodedRecord {}
}
