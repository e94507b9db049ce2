package io.nexussync.core.deadletter;

import io.nexussync.core.deadletter.DeadLetterStore.Parked;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.schedule.Footprint;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The entities that wait behind open dead letters, by stream position: a change waits when it touches
 * (writes, or points at) an entity parked from a position at or before its own, and its head has not been
 * released at a position before it. Release is a point in the stream, not a moment: changes read before a
 * person's retry or skip still wait, changes after it apply. Immutable (the pipeline swaps it when it changes,
 * which is rare, and hands each worker the one that holds when its batch goes out).
 */
public final class ParkedEntities {
    public static final ParkedEntities NONE = new ParkedEntities(Map.of(), Map.of());

    private final Map<String, Parked> byEntity;
    private final Map<Long, Position> releasedAt;

    private ParkedEntities(Map<String, Parked> byEntity, Map<Long, Position> releasedAt) {
        this.byEntity = byEntity;
        this.releasedAt = releasedAt;
    }

    public static ParkedEntities of(Map<String, Parked> byEntity) {
        return byEntity.isEmpty() ? NONE : new ParkedEntities(Map.copyOf(byEntity), Map.of());
    }

    /** Nothing waits and nothing was released lately: the pipeline's fast path. */
    public boolean isEmpty() {
        return byEntity.isEmpty() && releasedAt.isEmpty();
    }

    /** The head the change at {@code position} must wait behind, or 0 when it may apply. */
    public long headFor(Footprint footprint, Position position) {
        if (byEntity.isEmpty() || footprint == null) {
            return 0;
        }
        long head = headFor(footprint.owns(), position);
        return head != 0 ? head : headFor(footprint.refs(), position);
    }

    private long headFor(Collection<String> entities, Position position) {
        for (String entity : entities) {
            Parked parked = byEntity.get(entity);
            if (parked != null && parked.from().compareTo(position) <= 0) {
                Position released = releasedAt.get(parked.headId());
                if (released == null || position.compareTo(released) < 0) {
                    return parked.headId();
                }
            }
        }
        return 0;
    }

    /** {@code entities} wait behind {@code headId} from {@code from} on (an entity parked behind a released head is parked anew). */
    public ParkedEntities park(Collection<String> entities, long headId, Position from) {
        Map<String, Parked> next = new HashMap<>(byEntity);
        for (String entity : entities) {
            Parked existing = next.get(entity);
            if (existing == null || releasedAt.containsKey(existing.headId())) {
                next.put(entity, new Parked(headId, from));
            }
        }
        return new ParkedEntities(Map.copyOf(next), releasedAt);
    }

    /** A person released {@code headId}; changes from {@code at} on apply again. */
    public ParkedEntities release(long headId, Position at) {
        // Kept even when nothing waits behind it yet: a worker may be parking changes behind it right now.
        Map<Long, Position> next = new HashMap<>(releasedAt);
        next.putIfAbsent(headId, at);
        return new ParkedEntities(byEntity, Map.copyOf(next));
    }

    /** Forgets heads released in transactions the graph has wholly applied: no change before their release can come again. */
    public ParkedEntities forgetReleasedBefore(Lsn committedEnd) {
        if (releasedAt.isEmpty()) {
            return this;
        }
        Map<Long, Position> keptReleases = new HashMap<>();
        releasedAt.forEach((head, at) -> {
            if (!at.tx().isBefore(committedEnd)) {
                keptReleases.put(head, at);
            }
        });
        if (keptReleases.size() == releasedAt.size()) {
            return this;
        }
        if (byEntity.isEmpty() && keptReleases.isEmpty()) {
            return NONE;
        }
        Map<String, Parked> kept = new HashMap<>();
        byEntity.forEach((entity, parked) -> {
            if (!releasedAt.containsKey(parked.headId()) || keptReleases.containsKey(parked.headId())) {
                kept.put(entity, parked);
            }
        });
        return kept.isEmpty() && keptReleases.isEmpty() ? NONE : new ParkedEntities(Map.copyOf(kept), Map.copyOf(keptReleases));
    }

    /** The entities waiting behind {@code headId}. */
    public java.util.Set<String> entitiesBehind(long headId) {
        java.util.Set<String> entities = new java.util.HashSet<>();
        byEntity.forEach((entity, parked) -> {
            if (parked.headId() == headId) {
                entities.add(entity);
            }
        });
        return entities;
    }

    /** Open heads (not released), for status. */
    public long openHeads() {
        return byEntity.values().stream().map(Parked::headId).filter(h -> !releasedAt.containsKey(h)).distinct().count();
    }
}
