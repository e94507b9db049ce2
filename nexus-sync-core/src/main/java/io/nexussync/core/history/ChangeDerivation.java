package io.nexussync.core.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The changes of a temporal relationship between two instants, derived from its versions alone. At each instant a version
 * of a pair begins or ends, the pair's state an instant before is compared with its state at that instant (both by the
 * as-of rule): a pair that appears was added, one that disappears was removed, one whose version was replaced was changed.
 * Comparing states rather than reading each version as an event is what makes a transaction that changed a row twice one
 * change (its first version begins and ends at the same commit time, and no as-of query ever sees it), as it is in
 * PostgreSQL, where no other transaction saw the row in between.
 */
public final class ChangeDerivation {
    private static final Comparator<HistoryChange> ORDER = Comparator.comparing(HistoryChange::time).thenComparing(HistoryChange::toId);

    private ChangeDerivation() {}

    /**
     * @param versions every version of the pairs that was valid at any instant from just before {@code from} to {@code to}
     *                 (more do no harm)
     * @return the changes whose time is in {@code [from, to]}, in time order, then by end node
     */
    public static List<HistoryChange> between(List<TemporalVersion> versions, Instant from, Instant to) {
        Map<String, List<TemporalVersion>> byPair = new TreeMap<>();
        for (TemporalVersion v : versions) {
            byPair.computeIfAbsent(v.toId(), pair -> new ArrayList<>()).add(v);
        }
        List<HistoryChange> changes = new ArrayList<>();
        byPair.forEach((toId, pairVersions) -> {
            TreeSet<Instant> instants = new TreeSet<>();
            for (TemporalVersion v : pairVersions) {
                instants.add(v.validFrom());
                if (!v.current()) {
                    instants.add(v.validTo());
                }
            }
            for (Instant t : instants.subSet(from, true, to, true)) {
                TemporalVersion before = latest(pairVersions, v -> v.validJustBefore(t));
                TemporalVersion after = latest(pairVersions, v -> v.validAt(t));
                HistoryChange change = change(toId, t, before, after);
                if (change != null) {
                    changes.add(change);
                }
            }
        });
        changes.sort(ORDER);
        return changes;
    }

    private static HistoryChange change(String toId, Instant t, TemporalVersion before, TemporalVersion after) {
        if (before == null && after == null) {
            return null;
        }
        if (before == null) {
            return new HistoryChange.Added(t, toId, after.version(), after.properties());
        }
        if (after == null) {
            return new HistoryChange.Removed(t, toId, before.version(), before.properties());
        }
        // Versions of one pair do not overlap: the one valid at t is a new one exactly when it began at t.
        if (!after.validFrom().equals(t)) {
            return null;
        }
        return new HistoryChange.Changed(t, toId, after.version(), before.version(), differences(before.properties(), after.properties()));
    }

    private static Map<String, PropertyChange> differences(Map<String, Object> before, Map<String, Object> after) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        Map<String, PropertyChange> changed = new LinkedHashMap<>();
        for (String name : names) {
            if (!Objects.equals(before.get(name), after.get(name))) {
                changed.put(name, new PropertyChange(before.get(name), after.get(name)));
            }
        }
        return changed;
    }

    /** A malformed history may hold two versions valid at once: the later-begun one is taken, as the current state would be. */
    private static TemporalVersion latest(List<TemporalVersion> versions, java.util.function.Predicate<TemporalVersion> valid) {
        TemporalVersion found = null;
        for (TemporalVersion v : versions) {
            if (valid.test(v) && (found == null || v.validFrom().isAfter(found.validFrom()))) {
                found = v;
            }
        }
        return found;
    }
}
