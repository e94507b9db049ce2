package io.nexussync.neo4j;

import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.DeleteRelationships;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.TemporalRow;
import io.nexussync.core.plan.GraphStep.TombstoneNodes;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code $batch.rows} parameter of each statement: plain maps the driver can send. */
final class StepParameters {
    private StepParameters() {}

    /** A statement's parameters: its rows inside a map, so that the statement's plan is cached once whatever their number. */
    static Map<String, Object> batch(List<?> rows) {
        return Map.of("batch", Map.of("rows", rows));
    }

    static List<Map<String, Object>> nodeRows(UpsertNodes step) {
        return step.rows().stream().map(r -> map("id", r.id(), "props", r.properties(), "version", r.version(), "xref", r.knownElementId(), "whole", r.wholeRow(),
                "at", timeOrNull(r.at()))).toList();
    }

    static List<Map<String, Object>> parentRows(LinkParents step) {
        return step.rows().stream().map(r -> map("child", r.childId(), "parent", r.parentId(), "version", r.childVersion(), "at", timeOrNull(r.at()))).toList();
    }

    static List<Map<String, Object>> relationshipKeys(DeleteRelationships step) {
        return step.keys().stream().map(k -> map("from", k.fromId(), "to", k.toId())).toList();
    }

    static List<Map<String, Object>> relationshipRows(UpsertRelationships step) {
        return step.rows().stream().map(r -> map("from", r.fromId(), "to", r.toId(), "props", r.properties(), "version", r.version(), "at", timeOrNull(r.at()))).toList();
    }

    static List<Map<String, Object>> temporalRows(List<TemporalRow> rows) {
        return rows.stream().map(r -> map("from", r.fromId(), "to", r.toId(), "props", r.properties(), "version", r.version(), "at", time(r.at()))).toList();
    }

    static List<Map<String, Object>> tombstoneRows(TombstoneNodes step) {
        return step.rows().stream().map(r -> map("id", r.id(), "at", time(r.at()))).toList();
    }

    /** The rows of a delete that keeps deletion markers: each id with its delete's commit time, or null (no marker). */
    static List<Map<String, Object>> deletionRows(DeleteNodes step) {
        List<Map<String, Object>> rows = new ArrayList<>(step.ids().size());
        for (int i = 0; i < step.ids().size(); i++) {
            rows.add(map("id", step.ids().get(i), "at", timeOrNull(step.deletedAt().get(i))));
        }
        return rows;
    }

    static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static OffsetDateTime timeOrNull(Instant instant) {
        return instant == null ? null : time(instant);
    }

    /** Map.of refuses nulls, and a null here is meaningful (no version, no parent). */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>(keysAndValues.length);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
