package io.nexussync.core.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.mapping.TombstoneMappings;
import io.nexussync.core.model.TableId;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HistoryCompactionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");
    private static final Instant CUT = NOW.minus(Duration.ofDays(30));
    private final ManualClock clock = new ManualClock(NOW);
    private final InMemoryClosedVersions graph = new InMemoryClosedVersions();

    /** The built-in mapping (INCLUDES temporal, TAGGED_WITH not) and a second temporal type, LINKS. */
    private static Mapping twoTemporalTypes() {
        Mapping builtIn = MappingLoader.builtIn();
        RelationshipMapping includes = builtIn.relationshipByType("INCLUDES").orElseThrow();
        RelationshipMapping links = new RelationshipMapping(TableId.parse("public.thread_links"), "LINKS", includes.from(), includes.to(),
                includes.versionColumn(), includes.versionProperty(), true, includes.columns());
        List<RelationshipMapping> relationships = new ArrayList<>(builtIn.relationships());
        relationships.add(links);
        return new Mapping("test", builtIn.nodes(), relationships);
    }

    private static CompactionListener recording(List<String> told) {
        return new CompactionListener() {
            @Override
            public void removed(String type, long removed) {
                told.add(type + ":" + removed);
            }

            @Override
            public void tombstonesRemoved(String label, long removed) {
                told.add("tombstones " + label + ":" + removed);
            }
        };
    }

    @Test
    void shouldRemoveTombstonesDeletedBeforeTheCutAfterTheVersionsAndKeepAnyStillHoldingSomething() throws Exception {
        Mapping mapping = TombstoneMappings.builtInWithTombstones("ContentItem", "Thread");
        graph.add("INCLUDES", CUT.minusSeconds(5), 3);
        graph.addTombstone("ContentItem", CUT.minusSeconds(5), false);
        graph.addTombstone("ContentItem", CUT.minusSeconds(5), true);
        graph.addTombstone("ContentItem", CUT, false);
        graph.addTombstone("Thread", CUT.minusSeconds(1), false);
        List<String> told = new ArrayList<>();

        CompactionReport dryRun = compaction(mapping, CompactionListener.NONE).dryRun(CUT);
        CompactionReport report = compaction(mapping, recording(told)).compact(CUT, () -> false);

        assertThat(dryRun.tombstones()).extracting(CompactionReport.TypeResult::type, CompactionReport.TypeResult::versions)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ContentItem", 1L), org.assertj.core.groups.Tuple.tuple("Thread", 1L));
        assertThat(report.tombstonesRemoved()).isEqualTo(2);
        assertThat(report.versions()).isEqualTo(3);
        // Versions first: a tombstone goes only once its history has.
        assertThat(graph.transactions).containsExactly("INCLUDES/1000", "tombstones:ContentItem/1000", "tombstones:Thread/1000");
        assertThat(told).containsExactly("INCLUDES:3", "tombstones ContentItem:1", "tombstones Thread:1");
        // Deleted at the cut (an as-of answer at the cut still shows it), or still holding history, or alive again: kept.
        assertThat(graph.tombstones.get("ContentItem")).containsExactlyInAnyOrder(
                new InMemoryClosedVersions.Tombstone(CUT.minusSeconds(5), true), new InMemoryClosedVersions.Tombstone(CUT, false));
        assertThat(graph.tombstones.get("Thread")).isEmpty();
    }

    @Test
    void shouldLeaveTombstonesAloneWhenTheMappingKeepsNone() throws Exception {
        graph.addTombstone("ContentItem", CUT.minusSeconds(5), false);

        CompactionReport report = compaction(twoTemporalTypes(), CompactionListener.NONE).compact(CUT, () -> false);

        assertThat(report.tombstones()).isEmpty();
        assertThat(graph.tombstones.get("ContentItem")).hasSize(1);
    }

    private HistoryCompaction compaction(Mapping mapping, CompactionListener listener) {
        return new HistoryCompaction(mapping, graph, clock, Duration.ZERO, listener);
    }

    @Test
    void shouldRemoveOnlyClosedVersionsThatEndedBeforeTheCutInTransactionsOfAThousandUntilNoneIsLeft() throws Exception {
        Instant before = CUT.minusSeconds(1);
        Instant after = CUT.plusSeconds(1);
        graph.add("INCLUDES", before, 2_500);
        graph.add("INCLUDES", CUT, 3);
        graph.add("INCLUDES", after, 4);
        graph.add("INCLUDES", InMemoryClosedVersions.OPEN, 5);
        graph.add("LINKS", before, 7);
        graph.add("TAGGED_WITH", before, 9);
        List<String> told = new ArrayList<>();

        CompactionReport report = compaction(twoTemporalTypes(), recording(told)).compact(CUT, () -> false);

        assertThat(report.types()).extracting(CompactionReport.TypeResult::type, CompactionReport.TypeResult::versions,
                CompactionReport.TypeResult::transactions)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("INCLUDES", 2_500L, 3), org.assertj.core.groups.Tuple.tuple("LINKS", 7L, 1));
        assertThat(report.versions()).isEqualTo(2_507);
        assertThat(graph.transactions).containsExactly("INCLUDES/1000", "INCLUDES/1000", "INCLUDES/1000", "LINKS/1000");
        assertThat(told).containsExactly("INCLUDES:1000", "INCLUDES:1000", "INCLUDES:500", "LINKS:7");
        // A version that ended at the cut, after it, or is current, stays; so does a type the mapping does not keep history of.
        assertThat(graph.left("INCLUDES", before)).isZero();
        assertThat(graph.left("INCLUDES", CUT)).isEqualTo(3);
        assertThat(graph.left("INCLUDES", after)).isEqualTo(4);
        assertThat(graph.left("INCLUDES", InMemoryClosedVersions.OPEN)).isEqualTo(5);
        assertThat(graph.left("TAGGED_WITH", before)).isEqualTo(9);
    }

    @Test
    void shouldCountWhatWouldGoOnADryRunAndRemoveNothing() {
        graph.add("INCLUDES", CUT.minusSeconds(60), 1_234);
        graph.add("INCLUDES", InMemoryClosedVersions.OPEN, 2);

        CompactionReport report = compaction(twoTemporalTypes(), CompactionListener.NONE).dryRun(CUT);

        assertThat(report.dryRun()).isTrue();
        assertThat(report.types()).extracting(CompactionReport.TypeResult::type, CompactionReport.TypeResult::versions)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("INCLUDES", 1_234L), org.assertj.core.groups.Tuple.tuple("LINKS", 0L));
        assertThat(graph.transactions).isEmpty();
        assertThat(graph.left("INCLUDES", CUT.minusSeconds(60))).isEqualTo(1_234);
    }

    @Test
    void shouldRefuseACutInTheFutureBeforeTouchingTheGraph() {
        HistoryCompaction compaction = compaction(twoTemporalTypes(), CompactionListener.NONE);
        graph.add("INCLUDES", NOW.minusSeconds(1), 1);

        assertThatThrownBy(() -> compaction.compact(NOW.plusSeconds(1), () -> false))
                .isInstanceOf(HistoryCompaction.CutRefused.class).hasMessageContaining("is in the future").hasMessageContaining("30d");
        assertThatThrownBy(() -> compaction.dryRun(NOW.plusSeconds(1))).isInstanceOf(HistoryCompaction.CutRefused.class);
        assertThat(graph.transactions).isEmpty();
        assertThat(graph.left("INCLUDES", NOW.minusSeconds(1))).isEqualTo(1);
    }

    @Test
    void shouldStopBetweenTwoTransactionsWhenAskedAndSaySo() throws Exception {
        graph.add("INCLUDES", CUT.minusSeconds(1), 2_500);
        AtomicInteger asked = new AtomicInteger();

        // Asked before INCLUDES begins (no), then after its first full transaction (yes).
        CompactionReport report = compaction(twoTemporalTypes(), CompactionListener.NONE).compact(CUT, () -> asked.incrementAndGet() > 1);

        assertThat(report.stopped()).isTrue();
        assertThat(report.versions()).isEqualTo(1_000);
        assertThat(graph.transactions).containsExactly("INCLUDES/1000");
    }

    @Test
    void shouldCutAtNowMinusTheRetentionAndRefuseNoRetention() {
        assertThat(HistoryCompaction.cutFor(NOW, Duration.ofDays(30))).isEqualTo(CUT);
        assertThatThrownBy(() -> HistoryCompaction.cutFor(NOW, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHaveNothingToDoForAMappingWithoutTemporalRelationships() throws Exception {
        Mapping builtIn = MappingLoader.builtIn();
        Mapping noHistory = new Mapping("plain", builtIn.nodes(), builtIn.relationships().stream().filter(r -> !r.temporal()).toList());
        graph.add("INCLUDES", CUT.minusSeconds(1), 3);

        CompactionReport report = compaction(noHistory, CompactionListener.NONE).compact(CUT, () -> false);

        assertThat(report.types()).isEmpty();
        assertThat(graph.transactions).isEmpty();
    }
}
