package io.nexussync.kafka.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.kafka.debezium.DebeziumChangeDecoder;
import io.nexussync.kafka.debezium.DebeziumSettings;
import io.nexussync.kafka.records.ConsumedChange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** How a Debezium record is placed and dated for the planner; its values are {@code DebeziumChangeDecoderTest}'s. */
class DebeziumRecordReaderTest {

    private static String event(String op, String snapshot) {
        return "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"connector\":\"postgresql\",\"snapshot\":\"" + snapshot
                + "\",\"schema\":\"public\",\"table\":\"items\",\"txId\":771,\"lsn\":24024600,\"ts_ms\":1765098358123,"
                + "\"ts_us\":1765098358123456},\"op\":\"" + op + "\",\"ts_ms\":1765098358200}";
    }

    private static ConsumedChange read(String value) {
        DebeziumChangeDecoder decoder = new DebeziumChangeDecoder(DebeziumSettings.defaults(), (table, column) -> Optional.of("integer"));
        return new DebeziumRecordReader(decoder).read(new ConsumerRecord<>("t", 0, 0L, null, value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldDateAStreamedChangeByItsCommitTimeAndPlaceItByItsLsn() {
        ConsumedChange change = read(event("c", "false"));

        assertThat(change.change().commitTime()).isEqualTo(Instant.parse("2025-12-07T09:05:58.123456Z"));
        assertThat(change.position().tx().value()).isEqualTo(24024600L);
    }

    @Test
    void shouldDateASnapshotRecordBeforeAnyStreamedChangeNotByTheConnectorsReadTime() {
        // the connector read the row after its snapshot's view: a change committed in between comes later in the topic
        assertThat(read(event("r", "true")).change().commitTime()).isEqualTo(DebeziumRecordReader.SNAPSHOT_TIME);
        assertThat(read(event("r", "last")).change().commitTime()).isEqualTo(DebeziumRecordReader.SNAPSHOT_TIME);
    }
}
