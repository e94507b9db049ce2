package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of Neo4j property value, from the graph to the outbox's JSON as the service's reader expects it. */
class ValueTypesTest {
    private final PluginTestGraph graph = PluginTestGraph.shared();

    @BeforeEach
    void sampleRule() {
        graph.reset();
        graph.asService("config-publish", "CREATE (:`_SyncReverseNode` {label: 'Sample', idProperty: 'id', onDelete: 'refuse', create: true, "
                + "properties: ['text', 'integer', 'whole', 'large', 'flag', 'instant', 'zoned', 'noFraction', 'local', 'day', 'clock', 'offsetClock', "
                + "'span', 'texts', 'integers', 'doubles', 'place']})");
    }

    @Test
    void shouldSerialiseEachKindOfValueAsTheSpecSays() {
        graph.write("""
                CREATE (:Sample {id: 's1', text: 'say "hi"\\n', integer: 42, whole: 1.0, large: 1e21, flag: true,
                        instant: datetime('2026-12-06T10:00:00.123Z'), zoned: datetime('2026-12-06T10:00:00[Europe/Berlin]'),
                        noFraction: datetime('2026-12-06T10:00Z'), local: localdatetime('2026-12-06T10:00:00'), day: date('2026-12-06'),
                        clock: localtime('10:00:00.5'), offsetClock: time('10:00:00+02:00'), span: duration('P1DT2H'),
                        texts: ['a', 'b'], integers: [1, 2], doubles: [1.0, 2.5], place: point({x: 1.5, y: 2.0})})
                """);

        JsonNode edit = graph.onlyEdit();
        assertThat(edit.get("properties").toString()).isEqualTo("{"
                + "\"text\":\"say \\\"hi\\\"\\n\",\"integer\":42,\"whole\":1.0,\"large\":1.0E21,\"flag\":true,"
                + "\"instant\":\"2026-12-06T10:00:00.123Z\",\"zoned\":\"2026-12-06T10:00:00+01:00\",\"noFraction\":\"2026-12-06T10:00:00Z\","
                + "\"local\":\"2026-12-06T10:00:00\",\"day\":\"2026-12-06\",\"clock\":\"10:00:00.5\",\"offsetClock\":\"10:00:00+02:00\","
                + "\"span\":\"P1DT2H\",\"texts\":[\"a\",\"b\"],\"integers\":[1,2],\"doubles\":[1.0,2.5],"
                + "\"place\":\"point({x: 1.5, y: 2.0, crs: 'cartesian'})\"}");
        assertThat(edit.get("properties").get("whole").isDouble()).as("a reader sees a floating-point number").isTrue();
        assertThat(edit.get("properties").get("integer").isIntegralNumber()).isTrue();
    }

    @Test
    void shouldSerialiseOldAndNewValuesOfAnEditTheSameWay() {
        graph.asService("apply", "CREATE (:Sample {id: 's1', instant: datetime('2026-12-06T10:00:00Z'), whole: 2.0})");

        graph.write("MATCH (s:Sample {id: 's1'}) SET s.instant = datetime('2026-12-07T10:00:00.5+01:00'), s.whole = 3.0");

        assertThat(graph.onlyEdit().get("changes").toString()).isEqualTo("{\"whole\":{\"old\":2.0,\"new\":3.0},"
                + "\"instant\":{\"old\":\"2026-12-06T10:00:00Z\",\"new\":\"2026-12-07T10:00:00.5+01:00\"}}");
    }
}
