package io.nexussync.kafka.apply;

import io.nexussync.core.model.Position;
import io.nexussync.core.model.SourceChange;
import io.nexussync.kafka.debezium.DebeziumChangeDecoder;
import io.nexussync.kafka.debezium.DecodedRecord;
import io.nexussync.kafka.records.ConsumedChange;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Debezium's PostgreSQL change events as changes. Debezium marks no transaction's end in its change topics, so each
 * record is its own transaction, placed in the stream by its change's LSN and dated by its commit time.
 */
public final class DebeziumRecordReader implements ChangeRecordReader {
    private final DebeziumChangeDecoder decoder;

    public DebeziumRecordReader(DebeziumChangeDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public ConsumedChange read(ConsumerRecord<byte[], byte[]> record) {
        DecodedRecord decoded = decoder.decode(record.key(), record.value());
        if (decoded instanceof DecodedRecord.Change change) {
            var source = change.source();
            return new ConsumedChange(new SourceChange(change.change(), source.lsn(), source.commitTime()), new Position(source.lsn(), 0));
        } else if (decoded instanceof DecodedRecord.Skipped) {
            return null;
        }
        throw new IllegalStateException("a Debezium record decoded to an unknown kind: " + decoded);
    }
}
