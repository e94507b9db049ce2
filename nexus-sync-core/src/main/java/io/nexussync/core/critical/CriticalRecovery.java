package io.nexussync.core.critical;

import io.nexussync.core.critical.PreparedTransactions.Finished;
import io.nexussync.core.critical.PreparedTransactions.Prepared;
import io.nexussync.core.error.SyncException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends every critical write left prepared, at start and then periodically: one the graph decided is committed or
 * rolled back as decided; one still undecided after {@code critical.timeout} is decided rollback in the graph first
 * (so the stream, should it read it after all, finds that decision and writes nothing) and then rolled back. Younger
 * undecided ones are the stream's to apply. Without the graph nothing is decided: a prepared transaction waits, and
 * its age shows in the report.
 */
public final class CriticalRecovery {
    private static final Logger log = LoggerFactory.getLogger(CriticalRecovery.class);
    /** How long a decision is kept in the graph after it was taken. */
    static final Duration DECISION_RETENTION = Duration.ofDays(7);

    /**
     * One pass: how many were prepared when it began, how many it finished each way, how many it left to the stream,
     * and when the oldest of those left was prepared (null when none is).
     */
    public record Report(int prepared, int committed, int rolledBack, int waiting, Instant oldestWaitingPreparedAt) {
        public static final Report NOTHING = new Report(0, 0, 0, 0, null);
    }

    private final PreparedTransactions prepared;
    private final CriticalDecisions decisions;
    private final Duration timeout;
    private final Clock clock;
    private final CriticalListener listener;
    private Instant forgottenAt = Instant.EPOCH;

    public CriticalRecovery(PreparedTransactions prepared, CriticalDecisions decisions, Duration timeout, Clock clock, CriticalListener listener) {
        this.prepared = prepared;
        this.decisions = decisions;
        this.timeout = timeout;
        this.clock = clock;
        this.listener = listener;
    }

    /** One pass. A SyncException from either server ends the pass; the next one starts over. */
    public Report run() {
        List<Prepared> open = prepared.list();
        Instant now = clock.instant();
        forgetOldDecisions(now, open);
        if (open.isEmpty()) {
            return Report.NOTHING;
        }
        Map<String, CriticalDecision> known = decisions.read(open);
        int committed = 0;
        int rolledBack = 0;
        List<Prepared> waiting = new ArrayList<>();
        List<SyncException> failures = new ArrayList<>();
        int attempts = 0;
        for (Prepared transaction : open) {
            CriticalDecision decision = known.get(transaction.gid());
            if (decision == null && !now.isBefore(transaction.preparedAt().plus(timeout))) {
                decision = decisions.decideIfAbsent(CriticalDecision.rollback(transaction.gid(), transaction.xid(), "nexus-sync did not apply "
                        + "it to the graph within critical.timeout (" + timeout + ") of its PREPARE: the stream was behind or the graph unreachable",
                        now, null, CriticalDecision.BY_RECOVERY));
                log.warn("critical write {} was prepared {} ago and not applied to the graph: decided {}", transaction.gid(),
                        Duration.between(transaction.preparedAt(), now), decision.outcome().text());
                listener.decided(decision, transaction.preparedAt());
            }
            if (decision == null) {
                waiting.add(transaction);
                continue;
            }
            Finished result;
            attempts++;
            try {
                result = prepared.finish(decision);
            } catch (SyncException e) {
                // One transaction PostgreSQL will not finish (a role that may not) must not hold up the others.
                log.warn("recovery: could not finish critical write {} as the graph decided ({}): {}", transaction.gid(),
                        decision.outcome().text(), e.getMessage());
                failures.add(e);
                waiting.add(transaction);
                continue;
            }
            listener.finished(transaction.gid(), result, transaction.preparedAt());
            if (result == Finished.COMMITTED) {
                committed++;
            } else if (result == Finished.ROLLED_BACK) {
                rolledBack++;
            }
            if (result != Finished.NOT_PREPARED) {
                log.info("recovery: critical write {} {} as the graph decided", transaction.gid(),
                        result == Finished.COMMITTED ? "committed" : "rolled back");
            }
        }
        if (!failures.isEmpty() && failures.size() == attempts) {
            // Not one finished: PostgreSQL itself is the trouble, which the caller reports as an outage.
            throw failures.get(0);
        }
        Instant oldest = waiting.stream().map(Prepared::preparedAt).min(Instant::compareTo).orElse(null);
        return new Report(open.size(), committed, rolledBack, waiting.size(), oldest);
    }

    /** Once an hour: decisions older than the retention go, but never one whose transaction is still prepared. */
    private void forgetOldDecisions(Instant now, List<Prepared> open) {
        if (Duration.between(forgottenAt, now).compareTo(Duration.ofHours(1)) < 0) {
            return;
        }
        forgottenAt = now;
        int forgotten = decisions.forgetDecidedBefore(now.minus(DECISION_RETENTION), open.stream().map(Prepared::gid).toList());
        if (forgotten > 0) {
            log.info("forgot {} critical decisions taken more than {} ago", forgotten, DECISION_RETENTION);
        }
    }
}
