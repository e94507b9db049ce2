package io.nexussync.core.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.history.RestorePlan.Action;
import io.nexussync.core.history.RestorePlan.CurrentRow;
import io.nexussync.core.history.RestorePlan.ItemRestore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestorePlanTest {
    private static final Instant AT = Instant.parse("2026-12-07T05:00:00Z");
    private static final Set<String> RESTORED = Set.of("position", "relevanceScore", "addedAt");
    private static final String ADDED = "2026-12-01T10:00:00.123456Z";

    private static TemporalVersion version(String to, long position, double relevance, String addedAt) {
        return new TemporalVersion(to, AT.minusSeconds(60), TemporalVersion.OPEN_END, 3L,
                Map.of("position", position, "relevanceScore", relevance, "addedAt", addedAt));
    }

    private static CurrentRow row(String to, int position, double relevance, String addedAt) {
        return new CurrentRow(to, Map.of("position", position, "relevanceScore", relevance, "addedAt", addedAt));
    }

    @Test
    void shouldDeleteWhatWasNotThereInsertWhatWasGoneAndUpdateOnlyTheChangedProperties() {
        RestorePlan plan = RestorePlan.between(AT,
                List.of(version("a", 1, 0.5, ADDED), version("b", 2, 0.4, ADDED), version("c", 3, 0.3, ADDED)),
                List.of(row("a", 4, 0.5, ADDED), row("c", 3, 0.3, ADDED), row("d", 1, 0.9, ADDED)), RESTORED);

        assertThat(plan.of(Action.DELETE)).extracting(ItemRestore::toId).containsExactly("d");
        assertThat(plan.of(Action.INSERT)).singleElement().satisfies(insert -> {
            assertThat(insert.toId()).isEqualTo("b");
            assertThat(insert.now()).isNull();
            assertThat(insert.then()).containsEntry("position", 2L).containsEntry("relevanceScore", 0.4).containsEntry("addedAt", ADDED);
        });
        assertThat(plan.of(Action.UPDATE)).singleElement().satisfies(update -> {
            assertThat(update.toId()).isEqualTo("a");
            assertThat(update.changed()).containsExactly("position");
            assertThat(update.now()).containsEntry("position", 4);
            assertThat(update.then()).containsEntry("position", 1L);
        });
        assertThat(plan.unchanged()).isEqualTo(1);
    }

    @Test
    void shouldRestoreAddedAtAndRelevanceWhenOnlyTheyDiffer() {
        RestorePlan plan = RestorePlan.between(AT, List.of(version("a", 1, 0.5, ADDED)), List.of(row("a", 1, 0.7, "2026-12-02T10:00:00Z")), RESTORED);

        assertThat(plan.of(Action.UPDATE)).singleElement().extracting(ItemRestore::changed).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.ITERABLE)
                .containsExactlyInAnyOrder("relevanceScore", "addedAt");
    }

    @Test
    void shouldPlanNothingWhenPostgresAlreadyHoldsTheStateWhateverTheValuesJavaTypes() {
        // PostgreSQL's integer column reads as Integer, the graph gives Long; the same instant may be spelt two ways.
        RestorePlan plan = RestorePlan.between(AT, List.of(version("a", 1, 0.5, "2026-12-01T10:00:00Z")),
                List.of(row("a", 1, 0.5, "2026-12-01T10:00:00.000Z")), RESTORED);

        assertThat(plan.empty()).isTrue();
        assertThat(plan.unchanged()).isEqualTo(1);
    }

    @Test
    void shouldIgnorePropertiesItDoesNotRestore() {
        TemporalVersion withExtra = new TemporalVersion("a", AT, TemporalVersion.OPEN_END, 1L, Map.of("position", 1L, "note", "then"));
        CurrentRow now = new CurrentRow("a", Map.of("position", 1, "note", "now"));

        RestorePlan plan = RestorePlan.between(AT, List.of(withExtra), List.of(now), Set.of("position"));

        assertThat(plan.empty()).isTrue();
    }

    @Test
    void shouldEmptyTheStartNodeWhenNothingWasValidThen() {
        RestorePlan plan = RestorePlan.between(AT, List.of(), List.of(row("a", 1, 0.5, ADDED), row("b", 2, 0.5, ADDED)), RESTORED);

        assertThat(plan.items()).extracting(ItemRestore::action).containsOnly(Action.DELETE);
        assertThat(plan.items()).hasSize(2);
    }

    @Test
    void shouldRefuseTwoVersionsOfOnePairValidAtOnce() {
        assertThatThrownBy(() -> RestorePlan.between(AT, List.of(version("a", 1, 0.5, ADDED), version("a", 2, 0.5, ADDED)), List.of(), RESTORED))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not well formed");
    }

    @Test
    void shouldCompareNumbersByValueAndTimesByInstant() {
        assertThat(RestorePlan.sameValue(4, 4L)).isTrue();
        assertThat(RestorePlan.sameValue(0.5f, 0.5)).isTrue();
        assertThat(RestorePlan.sameValue(4, 5L)).isFalse();
        assertThat(RestorePlan.sameValue("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.000000Z")).isTrue();
        assertThat(RestorePlan.sameValue("x", "y")).isFalse();
        assertThat(RestorePlan.sameValue(null, 1)).isFalse();
        assertThat(RestorePlan.sameValue(null, null)).isTrue();
    }
}
