package io.nexussync.core.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelationshipHistoryTest {
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private static final Instant AT = Instant.parse("2026-12-07T05:00:00Z");

    /** A graph that answers with its versions by the as-of rule, as the Cypher does. */
    private final List<TemporalVersion> graphVersions = new ArrayList<>();
    private final TemporalGraph graph = new TemporalGraph() {
        @Override
        public List<TemporalVersion> validAt(RelationshipMapping relationship, String fromId, Instant at) {
            return graphVersions.stream().filter(v -> v.validAt(at)).toList();
        }

        @Override
        public List<TemporalVersion> overlapping(RelationshipMapping relationship, String fromId, Instant from, Instant to) {
            return graphVersions.stream().filter(v -> !v.validFrom().isAfter(to) && !v.validTo().isBefore(from)).toList();
        }
    };
    private final RelationshipHistory history = new RelationshipHistory(graph);

    @Test
    void shouldListAThreadsContentsByPositionThenByItem() {
        graphVersions.add(version("c", 2L));
        graphVersions.add(version("a", 10L));
        graphVersions.add(version("b", 2L));
        graphVersions.add(new TemporalVersion("z", AT.minusSeconds(1), TemporalVersion.OPEN_END, 1L, Map.of()));

        RelationshipHistory.Contents contents = history.at(RelationshipHistory.threadContent(MAPPING), "t", AT, RelationshipHistory.THREAD_ORDER);

        assertThat(contents.versions()).extracting(TemporalVersion::toId).containsExactly("b", "c", "a", "z");
    }

    @Test
    void shouldRefuseATableWithoutHistoryNamingTheTemporalTables() {
        assertThatThrownBy(() -> RelationshipHistory.temporal(MAPPING, TableId.parse("content_tags")))
                .isInstanceOf(NotTemporal.class)
                .hasMessage("public.content_tags is mapped as TAGGED_WITH without history (temporal: false): the temporal tables are "
                        + "public.thread_content (Thread)-[:INCLUDES]->(ContentItem)");
        assertThatThrownBy(() -> RelationshipHistory.temporal(MAPPING, TableId.parse("threads"))).hasMessageStartingWith("public.threads is mapped as nodes");
        assertThatThrownBy(() -> RelationshipHistory.temporal(MAPPING, TableId.parse("shop.orders")))
                .isInstanceOfSatisfying(NotTemporal.class, e -> assertThat(e.known()).isFalse())
                .hasMessageContaining("shop.orders is not a mapped table").hasMessageContaining("public.thread_content");
        assertThat(RelationshipHistory.temporal(MAPPING, TableId.parse("public.thread_content")).type()).isEqualTo("INCLUDES");
    }

    @Test
    void shouldRefuseAWindowThatEndsBeforeItBegins() {
        assertThatThrownBy(() -> history.changes(RelationshipHistory.threadContent(MAPPING), "t", AT, AT.minusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is after");
    }

    private static TemporalVersion version(String to, long position) {
        return new TemporalVersion(to, AT.minusSeconds(10), TemporalVersion.OPEN_END, 1L, Map.of("position", position));
    }
}
