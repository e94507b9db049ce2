package io.nexussync.app.service;

import io.nexussync.app.components.ReverseComponent;
import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.verify.EntityKeys;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reverse sync in the forms people read: a logged conflict as JSON and as a console line or block (they show rows' keys
 * and values: data, behind the admin token), and the reverse part of {@code /status} (counts, modes and times only).
 * Shared by {@code nexus-sync conflicts}, the admin API and {@code /status}.
 */
public final class ConflictViews {
    private ConflictViews() {}

    /** Every column of the conflict log's row, times as ISO-8601 text, a join row's key as {@code (from)->(to)}. */
    public static Map<String, Object> view(LoggedConflict c) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", c.id());
        view.put("detectedAt", text(c.detectedAt()));
        view.put("table", c.table());
        view.put("key", key(c));
        view.put("entity", c.entity());
        view.put("kind", c.kind());
        view.put("property", c.property());
        view.put("rule", c.rule());
        view.put("decision", c.decision());
        view.put("status", c.status());
        Map<String, Object> postgres = new LinkedHashMap<>();
        postgres.put("value", c.postgresValue());
        postgres.put("pgVersion", c.rowPgVersion());
        postgres.put("neo4jVersion", c.rowGraphVersion());
        postgres.put("committedAt", text(c.postgresCommittedAt()));
        view.put("postgres", postgres);
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("value", c.graphValue());
        graph.put("basePgVersion", c.basePgVersion());
        graph.put("neo4jVersion", c.graphVersion());
        graph.put("committedAt", text(c.graphCommittedAt()));
        graph.put("outboxSeq", c.outboxSeq());
        view.put("graph", graph);
        view.put("reason", c.reason());
        view.put("resolvedBy", c.resolvedBy());
        view.put("resolvedAt", text(c.resolvedAt()));
        view.put("resolution", c.resolution());
        return view;
    }

    /** {@code #12 property public.content_items 42 access_level postgres-wins -> postgres (settled)}. */
    public static String line(LoggedConflict c) {
        return String.format("#%d %s %s %s %s%s -> %s (%s)", c.id(), c.kind(), c.table(), key(c),
                c.property() == null ? "" : c.property() + " ", c.rule(), c.decision(), c.status());
    }

    /** One conflict for {@code conflicts show}: both sides' versions and values, the rule, the decision and who resolved it. */
    public static String block(LoggedConflict c) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("conflict #%d (%s), detected %s%n", c.id(), c.status(), c.detectedAt()));
        out.append(String.format("  row         %s %s (%s)%n", c.table(), key(c), c.entity()));
        out.append(String.format("  what        %s%s%n", c.kind(), c.property() == null ? "" : " of " + c.property()));
        out.append(String.format("  postgres    %s   (pg_version %s, neo4j_version %s, committed %s)%n", c.postgresValue(), c.rowPgVersion(),
                c.rowGraphVersion(), c.postgresCommittedAt()));
        out.append(String.format("  graph       %s   (based on pg_version %s, neo4jVersion %s, committed %s, outbox entry %d)%n", c.graphValue(),
                c.basePgVersion(), c.graphVersion(), c.graphCommittedAt(), c.outboxSeq()));
        out.append(String.format("  rule        %s -> %s%n", c.rule(), c.decision()));
        if (c.reason() != null) {
            out.append(String.format("  why         %s%n", c.reason()));
        }
        if (c.resolvedBy() != null || c.resolvedAt() != null) {
            out.append(String.format("  resolved    by %s at %s: %s%n", c.resolvedBy(), c.resolvedAt(), c.resolution()));
        } else if ("open".equals(c.status())) {
            out.append(String.format("  waits for a person: nexus-sync conflicts resolve %d --take postgres|graph --reason TEXT%n", c.id()));
        }
        return out.toString();
    }

    /** The reverse part of {@code /status}: modes, state, counts and times, no keys and no values. */
    public static Map<String, Object> status(ReverseComponent.Status s, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("configuredMode", s.configuredMode().external());
        view.put("mode", s.mode() == null ? null : s.mode().external());
        view.put("plugin", s.pluginVersion());
        view.put("state", s.state().external());
        view.put("entriesApplied", s.entriesApplied());
        view.put("appliedByEntity", s.appliedByEntity());
        view.put("conflictsByEntityAndDecision", s.conflicts());
        view.put("outboxEntries", s.outboxEntries());
        view.put("oldestWaitingAt", text(s.oldestWaitingAt()));
        view.put("lagSeconds", s.lag(now).toMillis() / 1000.0);
        view.put("lastAppliedAt", text(s.lastAppliedAt()));
        view.put("lastError", s.lastError());
        return view;
    }

    private static String key(LoggedConflict c) {
        return c.entityKey() == null ? null : EntityKeys.display(c.entityKey());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
