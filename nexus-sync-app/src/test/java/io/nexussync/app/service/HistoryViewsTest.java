package io.nexussync.app.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.history.HistoryChange;
import io.nexussync.core.history.PropertyChange;
import io.nexussync.core.history.RelationshipHistory;
import io.nexussync.core.history.TemporalVersion;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code history} prints as text: one line per item or change, each kind with what a person needs to read it. */
class HistoryViewsTest {
    private static final RelationshipMapping INCLUDES = RelationshipHistory.threadContent(MappingLoader.builtIn());
    private static final Instant T1 = Instant.parse("2026-12-07T01:00:00Z");
    private static final Instant T2 = Instant.parse("2026-12-07T02:00:00Z");

    @Test
    void shouldPrintEachItemWithItsValuesVersionAndSince() {
        String text = HistoryViews.contentsText(new RelationshipHistory.Contents(INCLUDES, "t-1", T2, List.of(
                new TemporalVersion("c-1", T1, TemporalVersion.OPEN_END, 3L, Map.of("position", 1L, "relevanceScore", 0.5)),
                new TemporalVersion("c-2", T1, T2.plusSeconds(60), 1L, Map.of("position", 2L, "relevanceScore", 0.9)))));

        assertThat(text).isEqualTo("public.thread_content: (:Thread {id: t-1})-[:INCLUDES]->(:ContentItem) at 2026-12-07T02:00:00Z: 2 ContentItems\n"
                + "  ContentItem c-1  position=1 relevanceScore=0.5  (version 3 since 2026-12-07T01:00:00Z)\n"
                + "  ContentItem c-2  position=2 relevanceScore=0.9  (version 1 since 2026-12-07T01:00:00Z, until 2026-12-07T02:01:00Z)\n");
    }

    @Test
    void shouldPrintEachKindOfChange() {
        String text = HistoryViews.changesText(new RelationshipHistory.Changes(INCLUDES, "t-1", T1, T2, List.of(
                new HistoryChange.Added(T1, "c-1", 1L, Map.of("position", 1L)),
                new HistoryChange.Changed(T2, "c-1", 2L, 1L, Map.of("position", new PropertyChange(1L, 4L))),
                new HistoryChange.Changed(T2, "c-2", 5L, 4L, Map.of()),
                new HistoryChange.Removed(T2, "c-3", 7L, Map.of("position", 3L)))));

        assertThat(text).isEqualTo("public.thread_content: (:Thread {id: t-1})-[:INCLUDES]->(:ContentItem) from 2026-12-07T01:00:00Z to "
                + "2026-12-07T02:00:00Z: 4 changes\n"
                + "  2026-12-07T01:00:00Z  added    ContentItem c-1  version 1  position=1\n"
                + "  2026-12-07T02:00:00Z  changed  ContentItem c-1  version 1 -> 2  position 1 -> 4\n"
                + "  2026-12-07T02:00:00Z  changed  ContentItem c-2  version 4 -> 5  (no mapped property changed)\n"
                + "  2026-12-07T02:00:00Z  removed  ContentItem c-3  version 7  position=3\n");
    }
}
