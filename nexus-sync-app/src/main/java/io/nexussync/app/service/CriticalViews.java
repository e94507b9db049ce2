package io.nexussync.app.service;

import io.nexussync.app.components.CriticalComponent;
import io.nexussync.postgres.critical.CriticalStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Critical writes in the forms people read: one write's status as JSON and as console text ({@code nexus-sync critical
 * status}, {@code GET /critical/ID}), the exit code that says it to a script, and the critical part of {@code /status}
 * (counts and ages only).
 */
public final class CriticalViews {
    /** {@code critical status}'s exit codes: 0 committed, 3 rolled back, 4 pending, 5 unknown. */
    public static final int COMMITTED = 0;
    public static final int ROLLED_BACK = 3;
    public static final int PENDING = 4;
    public static final int UNKNOWN = 5;

    private CriticalViews() {}

    public static Map<String, Object> view(CriticalStatus s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", s.id());
        view.put("gid", s.gid());
        view.put("state", s.state().external());
        view.put("decision", s.decision() == null ? null : s.decision().text());
        view.put("reason", s.reason());
        view.put("decidedBy", s.decidedBy());
        view.put("preparedAt", text(s.preparedAt()));
        view.put("decidedAt", text(s.decidedAt()));
        view.put("finishedAt", text(s.finishedAt()));
        view.put("note", s.note());
        return view;
    }

    /** For {@code critical status}: the state first, then what is known. */
    public static String text(CriticalStatus s) {
        StringBuilder out = new StringBuilder();
        out.append(s.gid()).append(": ").append(s.state().external().replace('_', ' ')).append(System.lineSeparator());
        line(out, "reason", s.reason());
        line(out, "decided", s.decision() == null ? null : s.decision().text() + (s.decidedBy() == null ? "" : " by " + s.decidedBy())
                + (s.decidedAt() == null ? "" : " at " + s.decidedAt()));
        line(out, "prepared at", text(s.preparedAt()));
        line(out, "finished at", text(s.finishedAt()));
        line(out, "note", s.note());
        return out.toString();
    }

    /** One line of {@code critical list}: the id, the state, when, and why it was rolled back. */
    public static String line(CriticalStatus s) {
        Instant at = s.finishedAt() != null ? s.finishedAt() : s.decidedAt() != null ? s.decidedAt() : s.preparedAt();
        return s.gid() + "  " + s.state().external().replace('_', ' ') + (at == null ? "" : "  " + at) + (s.reason() == null ? "" : "  " + s.reason());
    }

    public static int exitCode(CriticalStatus s) {
        return switch (s.state()) {
            case COMMITTED -> COMMITTED;
            case ROLLED_BACK -> ROLLED_BACK;
            case PENDING -> PENDING;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /** The critical part of {@code /status}: how many are prepared and since when, recovery's last pass, counts since the start. */
    public static Map<String, Object> status(CriticalComponent critical, Instant now) {
        CriticalComponent.Status s = critical.status();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("prepared", s.prepared());
        view.put("oldestPreparedAgeSeconds", s.oldestAge(now).toMillis() / 1000.0);
        view.put("oldestPreparedAt", text(s.oldestPreparedAt()));
        view.put("committedSinceStart", s.committed());
        view.put("rolledBackSinceStart", s.rolledBack());
        view.put("lastRecoveryAt", text(s.lastPassAt()));
        view.put("lastError", s.lastError());
        view.put("timeoutSeconds", critical.settings().timeout().toMillis() / 1000.0);
        view.put("alertAgeSeconds", critical.settings().alertAge().toMillis() / 1000.0);
        return view;
    }

    private static void line(StringBuilder out, String label, String value) {
        if (value != null) {
            out.append("  ").append(label).append(": ").append(value).append(System.lineSeparator());
        }
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
