package io.nexussync.core.schedule;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Lane;
import io.nexussync.core.mapping.Lanes;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Puts each change in its lane (shared/contract/schema.md, "Lanes"): DELETE and TRUNCATE critical, INSERT
 * the table's insert lane, UPDATE the highest lane among the columns it changes.
 *
 * <p>pgoutput sends an UPDATE's new row only (its old row too under REPLICA IDENTITY FULL), so which
 * columns changed is found by comparing with the entity's previous image, kept as one hash per column
 * for the {@code cacheEntries} entities seen last. An UPDATE whose previous image is not known (the
 * first one after a start, or one evicted) counts as {@link Lane#NORMAL}. Columns that never reach the
 * graph and have no lane of their own (version, cross-reference, PG-only) do not count: bumping
 * {@code pg_version} is not a reason to hurry. Only the scheduler's thread calls this.
 */
public final class LaneClassifier {
    private final Mapping mapping;
    private final Map<String, int[]> previousImages;
    private final Map<TableId, Rules> rulesByTable = new java.util.HashMap<>();

    public LaneClassifier(Mapping mapping, int cacheEntries) {
        this.mapping = mapping;
        this.previousImages = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
                return size() > cacheEntries;
            }
        };
    }

    public Lane classify(RowChange change, Footprint footprint) {
        if (footprint.barrier() || change instanceof RowChange.Delete) {
            if (!footprint.barrier()) {
                footprint.owns().forEach(previousImages::remove);
            }
            return Lane.CRITICAL;
        }
        Rules rules = rules(change);
        if (rules == null) {
            return Lane.NORMAL;
        }
        String entity = footprint.primary();
        if (change instanceof RowChange.Insert insert) {
            previousImages.put(entity, hashes(insert.newValues(), null));
            return rules.lanes.insert();
        }
        RowChange.Update update = (RowChange.Update) change;
        if (footprint.deletes()) {
            footprint.owns().forEach(previousImages::remove);
            previousImages.put(entity, hashes(update.newValues(), null));
            return Lane.CRITICAL;
        }
        int[] before = update.oldKey() != null && update.oldKey().size() == update.newValues().size()
                ? hashes(update.oldKey(), null)
                : previousImages.get(entity);
        int[] after = hashes(update.newValues(), before);
        previousImages.put(entity, after);
        if (before == null || before.length != after.length) {
            return Lane.NORMAL;
        }
        Lane highest = null;
        int i = 0;
        for (String column : update.newValues().keySet()) {
            if (before[i] != after[i] && rules.counts(column)) {
                Lane lane = rules.lanes.column(column);
                if (highest == null || lane.compareTo(highest) < 0) {
                    highest = lane;
                }
            }
            i++;
        }
        // An UPDATE that changed no column the graph cares about is the least urgent kind.
        return highest == null ? Lane.LOW : highest;
    }

    /** One hash per column in image order; an unchanged TOAST value keeps the previous image's hash. */
    private static int[] hashes(Map<String, Object> row, int[] previous) {
        int[] hashes = new int[row.size()];
        int i = 0;
        for (Object value : row.values()) {
            if (value == Unchanged.TOAST) {
                hashes[i] = previous != null && previous.length == row.size() ? previous[i] : 0;
            } else {
                hashes[i] = value instanceof Object[] array ? Arrays.deepHashCode(array)
                        : value instanceof byte[] bytes ? Arrays.hashCode(bytes)
                        : value == null ? 0x9e3779b9 : value.hashCode();
            }
            i++;
        }
        return hashes;
    }

    private Rules rules(RowChange change) {
        return rulesByTable.computeIfAbsent(RowChange.tableOf(change), this::rulesOf);
    }

    private Rules rulesOf(TableId table) {
        var node = mapping.node(table);
        if (node.isPresent()) {
            NodeMapping m = node.get();
            Set<String> ignored = new HashSet<>(m.pgOnlyColumns());
            addIfPresent(ignored, m.versionColumn());
            addIfPresent(ignored, m.graphVersionColumn());
            addIfPresent(ignored, m.crossReferenceColumn());
            return new Rules(m.columns().lanes(), ignored);
        }
        return mapping.relationship(table).map(r -> relationshipRules(r)).orElse(null);
    }

    private static Rules relationshipRules(RelationshipMapping m) {
        Set<String> ignored = new HashSet<>(m.pgOnlyColumns());
        addIfPresent(ignored, m.versionColumn());
        return new Rules(m.columns().lanes(), ignored);
    }

    private static void addIfPresent(Set<String> set, String column) {
        if (column != null) {
            set.add(column);
        }
    }

    private record Rules(Lanes lanes, Set<String> ignored) {
        /** A column counts when it reaches the graph, or when the mapping gave it a lane of its own. */
        boolean counts(String column) {
            return !ignored.contains(column) || lanes.byColumn().containsKey(column);
        }
    }
}
