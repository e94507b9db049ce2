package io.nexussync.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeDerivationTest {
    private static final Instant OPEN = TemporalVersion.OPEN_END;
    private static final Instant EARLY = t(0);
    private static final Instant LATE = t(1_000);

    @Test
    void shouldDeriveAddedChangedRemovedAndAddedAgainFromOnePairsVersions() {
        List<TemporalVersion> versions = List.of(
                v("c1", 10, 20, 1, 1, 0.5),
                v("c1", 20, 30, 2, 2, 0.5),
                v("c1", 30, 40, 3, 2, 0.9),
                // deleted at 40, inserted again at 50: its version starts over
                v("c1", 50, OPEN, 1, 7, 0.1));

        List<HistoryChange> changes = ChangeDerivation.between(versions, EARLY, LATE);

        assertThat(changes).containsExactly(
                new HistoryChange.Added(t(10), "c1", 1L, Map.of("position", 1L, "relevanceScore", 0.5)),
                new HistoryChange.Changed(t(20), "c1", 2L, 1L, Map.of("position", new PropertyChange(1L, 2L))),
                new HistoryChange.Changed(t(30), "c1", 3L, 2L, Map.of("relevanceScore", new PropertyChange(0.5, 0.9))),
                new HistoryChange.Removed(t(40), "c1", 3L, Map.of("position", 2L, "relevanceScore", 0.9)),
                new HistoryChange.Added(t(50), "c1", 1L, Map.of("position", 7L, "relevanceScore", 0.1)));
    }

    @Test
    void shouldKeepOnlyChangesWithinTheWindowBothEndsIncluded() {
        List<TemporalVersion> versions = List.of(v("c1", 10, 20, 1, 1, 0.5), v("c1", 20, 30, 2, 2, 0.5), v("c1", 30, 40, 3, 3, 0.5));

        assertThat(ChangeDerivation.between(versions, t(20), t(30))).extracting(HistoryChange::time).containsExactly(t(20), t(30));
        assertThat(ChangeDerivation.between(versions, t(21), t(29))).isEmpty();
        assertThat(ChangeDerivation.between(versions, t(31), LATE)).singleElement().isInstanceOf(HistoryChange.Removed.class);
        // A window that begins inside a version sees the next change as a change, not as an addition.
        assertThat(ChangeDerivation.between(versions, t(15), t(25))).singleElement().isInstanceOf(HistoryChange.Changed.class);
    }

    @Test
    void shouldSeeTwoChangesInOneTransactionAsOneAsPostgresDoes() {
        // Inserted and updated in one transaction at 10 (a version that begins and ends at once), updated twice at 20.
        List<TemporalVersion> versions = List.of(
                v("c1", 10, 10, 1, 1, 0.5),
                v("c1", 10, 20, 2, 2, 0.5),
                v("c1", 20, 20, 3, 3, 0.5),
                v("c1", 20, OPEN, 4, 3, 0.8));

        assertThat(ChangeDerivation.between(versions, EARLY, LATE)).containsExactly(
                new HistoryChange.Added(t(10), "c1", 2L, Map.of("position", 2L, "relevanceScore", 0.5)),
                new HistoryChange.Changed(t(20), "c1", 4L, 2L, Map.of("position", new PropertyChange(2L, 3L),
                        "relevanceScore", new PropertyChange(0.5, 0.8))));
    }

    @Test
    void shouldReportAnUpdateOfColumnsTheGraphDoesNotHoldAsAChangeWithNothingChanged() {
        List<TemporalVersion> versions = List.of(v("c1", 10, 20, 1, 1, 0.5), v("c1", 20, OPEN, 2, 1, 0.5));

        assertThat(ChangeDerivation.between(versions, EARLY, LATE)).last()
                .isEqualTo(new HistoryChange.Changed(t(20), "c1", 2L, 1L, Map.of()));
    }

    @Test
    void shouldNameAPropertyThatAppearsOrDisappears() {
        List<TemporalVersion> versions = List.of(
                new TemporalVersion("c1", t(10), t(20), 1L, Map.of("position", 1L)),
                new TemporalVersion("c1", t(20), OPEN, 2L, Map.of("note", "x")));

        assertThat(ChangeDerivation.between(versions, EARLY, LATE)).last().isEqualTo(new HistoryChange.Changed(t(20), "c1", 2L, 1L,
                Map.of("position", new PropertyChange(1L, null), "note", new PropertyChange(null, "x"))));
    }

    @Test
    void shouldOrderTheChangesOfSeveralPairsByTimeThenEndNode() {
        List<TemporalVersion> versions = new ArrayList<>(List.of(
                v("c2", 10, OPEN, 1, 1, 0.5),
                v("c1", 10, 30, 1, 2, 0.5),
                v("c3", 5, 20, 1, 3, 0.5)));

        assertThat(ChangeDerivation.between(versions, EARLY, LATE)).extracting(c -> c.time() + " " + c.toId() + " " + c.getClass().getSimpleName())
                .containsExactly(t(5) + " c3 Added", t(10) + " c1 Added", t(10) + " c2 Added", t(20) + " c3 Removed", t(30) + " c1 Removed");
    }

    @Test
    void shouldFindNoChangeInAVersionThatSpansTheWholeWindowOrInNoVersionsAtAll() {
        assertThat(ChangeDerivation.between(List.of(v("c1", 10, OPEN, 1, 1, 0.5)), t(20), t(30))).isEmpty();
        assertThat(ChangeDerivation.between(List.of(), EARLY, LATE)).isEmpty();
    }

    @Test
    void shouldSeeADeleteAndInsertInOneTransactionAsAChangeSinceNoOneSawThePairGone() {
        List<TemporalVersion> versions = List.of(v("c1", 10, 20, 4, 1, 0.5), v("c1", 20, OPEN, 1, 1, 0.5));

        assertThat(ChangeDerivation.between(versions, EARLY, LATE)).last().isEqualTo(new HistoryChange.Changed(t(20), "c1", 1L, 4L, Map.of()));
    }

    @Test
    void shouldAgreeWithTheAsOfRuleAtEveryInstant() {
        // The state before the window, replayed through the changes, equals the as-of state at every instant after each.
        List<TemporalVersion> versions = List.of(
                v("a", 10, 25, 1, 1, 0.1), v("a", 25, 25, 2, 2, 0.1), v("a", 25, 60, 3, 3, 0.2), v("a", 70, OPEN, 1, 1, 0.3),
                v("b", 20, 40, 1, 2, 0.4), v("b", 40, OPEN, 2, 2, 0.5));
        Map<String, Map<String, Object>> state = new java.util.TreeMap<>();
        for (HistoryChange change : ChangeDerivation.between(versions, EARLY, LATE)) {
            change.match(
                    added -> state.put(added.toId(), added.properties()),
                    changed -> state.compute(changed.toId(), (k, before) -> {
                        Map<String, Object> after = new java.util.HashMap<>(before);
                        changed.changed().forEach((name, c) -> after.put(name, c.after()));
                        return after;
                    }),
                    removed -> state.remove(removed.toId()));
            Map<String, Map<String, Object>> asOf = new java.util.TreeMap<>();
            versions.stream().filter(v -> v.validAt(change.time())).forEach(v -> asOf.put(v.toId(), v.properties()));
            assertThat(state).as("after the change at " + change.time()).isEqualTo(asOf);
        }
    }

    private static TemporalVersion v(String to, long from, long until, long version, long position, double relevance) {
        return v(to, from, t(until), version, position, relevance);
    }

    private static TemporalVersion v(String to, long from, Instant until, long version, long position, double relevance) {
        return new TemporalVersion(to, t(from), until, version, Map.of("position", position, "relevanceScore", relevance));
    }

    private static Instant t(long seconds) {
        return Instant.parse("2026-12-07T00:00:00Z").plusSeconds(seconds);
    }
}
