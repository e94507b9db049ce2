package io.nexussync.kafka.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The decoder on events Debezium embedded 3.6.1 made from one workload, against the row changes nexus-sync's pgoutput
 * path read from the same workload (resources/debezium/README.md says how both were captured): the server-free half
 * of nexus-sync-bench's DebeziumDecoderEquivalenceIT.
 */
class DebeziumCapturedEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId CONTENT = new TableId("public", "content_items");
    private static final TableId TYPES = new TableId("public", "debezium_types");

    private record Captured(String key, String value) {}

    @Test
    void shouldDecodeEventsWithSchemasToThePgoutputPathsRowChanges() throws IOException {
        List<DecodedRecord> decoded = decode("with-schemas.jsonl", DebeziumChangeDecoder.withSchemas());

        assertSameChanges(changes(decoded));
        assertThat(decoded).filteredOn(DecodedRecord.Skipped.class::isInstance).hasSize(5) // four deletes, one message
                .extracting(d -> ((DecodedRecord.Skipped) d).reason().split(" ")[0]).containsOnly("tombstone:", "logical");
    }

    @Test
    void shouldDecodeEventsWithoutSchemasByTheCatalogsColumnTypesToThePgoutputPathsRowChanges() throws IOException {
        Map<String, String> types = new HashMap<>();
        for (String line : resource("column-types.tsv").split("\n")) {
            String[] f = line.split("\t");
            types.put(f[0] + "." + f[1], f[2]);
        }
        ColumnTypes catalog = (table, column) -> Optional.ofNullable(types.get(table + "." + column));

        assertSameChanges(changes(decode("without-schemas.jsonl", new DebeziumChangeDecoder(DebeziumSettings.defaults(), catalog))));
    }

    @Test
    void shouldLeaveEveryUnchangedToastedValueUnchangedAndNeverWriteThePlaceholder() throws IOException {
        List<RowChange> changes = changes(decode("with-schemas.jsonl", DebeziumChangeDecoder.withSchemas()));

        List<RowChange.Update> untouchedBody = changes.stream().filter(RowChange.Update.class::isInstance).map(RowChange.Update.class::cast)
                .filter(u -> u.table().equals(CONTENT) && u.newValues().get("body") == Unchanged.TOAST).toList();
        assertThat(untouchedBody).hasSize(1);
        assertThat(untouchedBody.get(0).newValues()).containsEntry("title", "big, renamed").containsEntry("view_count", 9007199254740994L);
        RowChange.Update types = changes.stream().filter(RowChange.Update.class::isInstance).map(RowChange.Update.class::cast)
                .filter(u -> u.table().equals(TYPES)).findFirst().orElseThrow();
        assertThat(types.newValues()).containsEntry("big_raw", Unchanged.TOAST).containsEntry("big_tags", Unchanged.TOAST);
        assertThat(comparable(changes)).noneMatch(c -> c.contains(DebeziumSettings.DEFAULT_PLACEHOLDER));
    }

    private static void assertSameChanges(List<RowChange> decoded) throws IOException {
        List<String> want = List.of(resource("pgoutput-changes.txt").split("\n"));
        List<String> got = comparable(decoded);
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            assertThat(got.get(i)).as("change #%d", i).isEqualTo(want.get(i));
        }
        assertThat(got).hasSameSizeAs(want);
    }

    private static List<DecodedRecord> decode(String file, DebeziumChangeDecoder decoder) throws IOException {
        List<DecodedRecord> out = new ArrayList<>();
        for (String line : resource(file).split("\n")) {
            JsonNode record = JSON.readTree(line);
            Captured captured = new Captured(record.path("key").textValue(), record.path("value").textValue());
            out.add(decoder.decode(captured.key(), captured.value()));
        }
        return out;
    }

    private static List<RowChange> changes(List<DecodedRecord> decoded) {
        return decoded.stream().filter(DecodedRecord.Change.class::isInstance).map(d -> ((DecodedRecord.Change) d).change()).toList();
    }

    // the IT's form: byte[] as hex, every value with its Java type
    private static List<String> comparable(List<RowChange> changes) {
        return changes.stream().map(DebeziumCapturedEventsTest::comparable).toList();
    }

    private static String comparable(RowChange c) {
        if (c instanceof RowChange.Insert i) {
            return "insert " + i.table() + " " + typed(i.newValues());
        } else if (c instanceof RowChange.Update u) {
            return "update " + u.table() + " " + typed(u.oldKey()) + " " + typed(u.newValues());
        } else if (c instanceof RowChange.Delete d) {
            return "delete " + d.table() + " " + typed(d.oldKey());
        } else if (c instanceof RowChange.Truncate t) {
            return "truncate " + t.tables() + " " + t.cascade() + " " + t.restartIdentity();
        }
        throw RowChange.unhandled(c);
    }

    private static String typed(Map<String, Object> row) {
        if (row == null) {
            return "null";
        }
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v instanceof byte[] b ? "bytes:" + HexFormat.of().formatHex(b)
                : v == null ? "NULL" : v.getClass().getSimpleName() + ":" + v));
        return out.toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DebeziumCapturedEventsTest.class.getResourceAsStream("/debezium/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
