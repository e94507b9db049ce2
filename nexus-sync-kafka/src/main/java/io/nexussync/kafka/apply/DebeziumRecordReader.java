package io.nexussync.kafka.apply;

import io.nexussync.core.model.Position;
import io.nexussync.core.model.SourceChange;
import io.nexussync.kafka.debezium.DebeziumChangeDecoder;
import io.nexussync.kafka.debezium.DecodedRecord;
import io.nexussync.kafka.records.ConsumedChange;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Debezium's PostgreSQL change events as changes. Debezium marks no transaction's end in its change topics, so each
 * record is its own transaction, placed in the stream by its change's LSN and dated by its commit time.
 *
 * <p>A snapshot record (op {@code r}) is dated at {@link #SNAPSHOT_TIME} instead: the connector dates it by when it read
 * the row, which is after its snapshot's view was taken, so a change streamed after it but committed between the two
 * would look older than the row. The writer keeps time order, so such a change is dropped from a temporal
 * relationship's history (DebeziumApplyIT, with writes during the connector's snapshot, lost 1 to 3 versions per busy
 * pair so), and a deletion marker among them could not hold back a row arriving late on another partition. Nothing in
 * the record says when the view was taken, so the snapshot's rows count as being there since before the stream.
 */
public final class DebeziumRecordReader implements ChangeRecordReader {
    /** The commit time given to the connector's snapshot records: before any change the stream can carry. */
    public static final Instant SNAPSHOT_TIME = Instant.EPOCH;

    private final DebeziumChangeDecoder decoder;

    public DebeziumRecordReader(DebeziumChangeDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public ConsumedChange read(ConsumerRecord<byte[], byte[]> record) {
        DecodedRecord decoded = decoder.decode(record.key(), record.value());
        if (decoded instanceof DecodedRecord.Change change) {
            var source = change.source();
            Instant committed = source.snapshot() ? SNAPSHOT_TIME : source.commitTime();
            return new ConsumedChange(new SourceChange(change.change(), source.lsn(), committed), new Position(source.lsn(), 0));
        } else if (decoded instanceof DecodedRecord.Skipped) {
            return null;
        }
        throw new IllegalStateException("a Debezium record decoded to an unknown kind: " + decoded);
    }
}
