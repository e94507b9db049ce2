package io.nexussync.core.retention;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The graph's versions as {@code validTo} per relationship type, with the transactions each call would be. */
final class InMemoryClosedVersions implements ClosedVersions {
    static final Instant OPEN = Instant.parse("9999-12-31T00:00:00Z");

    final Map<String, List<Instant>> validTo = new HashMap<>();
    /** A tombstone: its deletion time, and whether it still has a relationship or is a live node again (both keep it). */
    record Tombstone(Instant deletedAt, boolean kept) {}

    final Map<String, List<Tombstone>> tombstones = new HashMap<>();
    /** Per removing call: the type and the limit it was given. */
    final List<String> transactions = new ArrayList<>();

    void add(String type, Instant to, int times) {
        for (int i = 0; i < times; i++) {
            validTo.computeIfAbsent(type, t -> new ArrayList<>()).add(to);
        }
    }

    void addTombstone(String label, Instant deletedAt, boolean kept) {
        tombstones.computeIfAbsent(label, l -> new ArrayList<>()).add(new Tombstone(deletedAt, kept));
    }

    @Override
    public long countTombstonesBefore(NodeMapping node, List<String> historyTypes, Instant cut) {
        return tombstones.getOrDefault(node.label(), List.of()).stream().filter(t -> t.deletedAt().isBefore(cut) && !t.kept()).count();
    }

    @Override
    public long removeTombstonesBefore(NodeMapping node, Instant cut, int limit) {
        transactions.add("tombstones:" + node.label() + "/" + limit);
        long removed = 0;
        for (var it = tombstones.getOrDefault(node.label(), new ArrayList<>()).iterator(); it.hasNext() && removed < limit; ) {
            Tombstone t = it.next();
            if (t.deletedAt().isBefore(cut) && !t.kept()) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    long left(String type, Instant to) {
        return validTo.getOrDefault(type, List.of()).stream().filter(to::equals).count();
    }

    private static boolean endedBefore(Instant to, Instant cut) {
        return !to.equals(OPEN) && to.isBefore(cut);
    }

    @Override
    public long countEndedBefore(RelationshipMapping type, Instant cut) {
        return validTo.getOrDefault(type.type(), List.of()).stream().filter(to -> endedBefore(to, cut)).count();
    }

    @Override
    public long removeEndedBefore(RelationshipMapping type, Instant cut, int limit) {
        transactions.add(type.type() + "/" + limit);
        List<Instant> versions = validTo.getOrDefault(type.type(), new ArrayList<>());
        long removed = 0;
        for (var it = versions.iterator(); it.hasNext() && removed < limit; ) {
            if (endedBefore(it.next(), cut)) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }
}
