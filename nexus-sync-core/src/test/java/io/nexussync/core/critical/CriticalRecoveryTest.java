package io.nexussync.core.critical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.critical.PreparedTransactions.Finished;
import io.nexussync.core.critical.PreparedTransactions.Prepared;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.Lsn;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CriticalRecoveryTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock(T0);
    private final FakePrepared prepared = new FakePrepared();
    private final FakeDecisions decisions = new FakeDecisions();
    private final CriticalRecovery recovery = new CriticalRecovery(prepared, decisions, TIMEOUT, clock, CriticalListener.NONE);

    @Test
    void shouldFinishEachPreparedTransactionAsTheGraphDecided() {
        prepared.open("nexus_sync:a", T0.minusSeconds(5));
        prepared.open("nexus_sync:b", T0.minusSeconds(5));
        decisions.put(CriticalDecision.commit("nexus_sync:a", prepared.xidOf("nexus_sync:a"), T0, Lsn.valueOf("0/1")));
        decisions.put(CriticalDecision.rollback("nexus_sync:b", prepared.xidOf("nexus_sync:b"), "refused", T0, Lsn.valueOf("0/2"),
                CriticalDecision.BY_STREAM));

        CriticalRecovery.Report report = recovery.run();

        assertThat(prepared.told).containsExactly("nexus_sync:a commit", "nexus_sync:b rollback");
        assertThat(report).isEqualTo(new CriticalRecovery.Report(2, 1, 1, 0, null));
    }

    @Test
    void shouldLeaveAYoungUndecidedTransactionToTheStreamAndReportItsAge() {
        prepared.open("nexus_sync:young", T0.minusSeconds(12));

        CriticalRecovery.Report report = recovery.run();

        assertThat(prepared.told).isEmpty();
        assertThat(decisions.byGid).isEmpty();
        assertThat(report).isEqualTo(new CriticalRecovery.Report(1, 0, 0, 1, T0.minusSeconds(12)));
    }

    @Test
    void shouldDecideRollbackInTheGraphBeforeRollingBackATimedOutTransaction() {
        prepared.open("nexus_sync:old", T0.minus(TIMEOUT));

        recovery.run();

        assertThat(decisions.byGid.get("nexus_sync:old/" + 100)).satisfies(d -> {
            assertThat(d.commits()).isFalse();
            assertThat(d.decidedBy()).isEqualTo(CriticalDecision.BY_RECOVERY);
            assertThat(d.reason()).contains("critical.timeout");
        });
        assertThat(prepared.told).containsExactly("nexus_sync:old rollback");
    }

    @Test
    void shouldCommitATimedOutTransactionWhenTheStreamDecidedItFirst() {
        prepared.open("nexus_sync:raced", T0.minusSeconds(60));
        // The stream records its commit between recovery's read and its rollback decision: the first decision stands.
        decisions.racingDecision = CriticalDecision.commit("nexus_sync:raced", prepared.xidOf("nexus_sync:raced"), T0, Lsn.valueOf("0/9"));

        recovery.run();

        assertThat(prepared.told).containsExactly("nexus_sync:raced commit");
    }

    @Test
    void shouldNotTakeTheDecisionOfAnEarlierTransactionThatHadTheSameGlobalId() {
        prepared.open("nexus_sync:reused", T0.minusSeconds(5));
        decisions.put(CriticalDecision.commit("nexus_sync:reused", prepared.xidOf("nexus_sync:reused") - 50, T0.minusSeconds(3600), Lsn.valueOf("0/1")));

        CriticalRecovery.Report report = recovery.run();

        assertThat(prepared.told).isEmpty();
        assertThat(report.waiting()).isEqualTo(1);
    }

    @Test
    void shouldFinishTheOthersWhenPostgresRefusesToFinishOne() {
        prepared.open("nexus_sync:refused", T0.minusSeconds(5));
        prepared.open("nexus_sync:fine", T0.minusSeconds(5));
        decisions.put(CriticalDecision.commit("nexus_sync:refused", prepared.xidOf("nexus_sync:refused"), T0, Lsn.valueOf("0/1")));
        decisions.put(CriticalDecision.commit("nexus_sync:fine", prepared.xidOf("nexus_sync:fine"), T0, Lsn.valueOf("0/2")));
        prepared.refuse = "nexus_sync:refused";

        CriticalRecovery.Report report = recovery.run();

        assertThat(prepared.told).containsExactly("nexus_sync:refused commit", "nexus_sync:fine commit");
        assertThat(report.committed()).isEqualTo(1);
        assertThat(report.waiting()).isEqualTo(1);
    }

    @Test
    void shouldDecideNothingWhileTheGraphCannotBeRead() {
        prepared.open("nexus_sync:old", T0.minusSeconds(60));
        decisions.down = true;

        assertThatThrownBy(recovery::run).isInstanceOf(SyncException.class);
        assertThat(prepared.told).isEmpty();
    }

    @Test
    void shouldForgetOldDecisionsAtMostHourlyButNeverThoseStillPrepared() {
        prepared.open("nexus_sync:open", T0.minusSeconds(1));

        recovery.run();
        clock.advance(Duration.ofMinutes(30));
        recovery.run();
        clock.advance(Duration.ofMinutes(31));
        recovery.run();

        // The second pass (30 minutes on) rolled it back as timed out: by the hour it is no longer prepared.
        assertThat(decisions.forgets).containsExactly(List.of("nexus_sync:open"), List.of());
    }

    private static final class FakePrepared implements PreparedTransactions {
        final List<Prepared> open = new ArrayList<>();
        final List<String> told = new ArrayList<>();
        String refuse;

        void open(String gid, Instant at) {
            open.add(new Prepared(gid, open.size() + 100, at));
        }

        long xidOf(String gid) {
            return open.stream().filter(p -> p.gid().equals(gid)).findFirst().orElseThrow().xid();
        }

        @Override
        public List<Prepared> list() {
            return List.copyOf(open);
        }

        @Override
        public Finished finish(CriticalDecision decision) {
            told.add(decision.gid() + " " + decision.outcome().text());
            if (decision.gid().equals(refuse)) {
                throw SyncException.persistent("permission denied to finish prepared transaction", null);
            }
            boolean was = open.removeIf(p -> p.gid().equals(decision.gid()));
            return !was ? Finished.NOT_PREPARED : decision.commits() ? Finished.COMMITTED : Finished.ROLLED_BACK;
        }
    }

    private static final class FakeDecisions implements CriticalDecisions {
        /** By "gid/xid": what names one transaction. */
        final Map<String, CriticalDecision> byGid = new HashMap<>();
        final List<List<String>> forgets = new ArrayList<>();
        CriticalDecision racingDecision;
        boolean down;

        void put(CriticalDecision decision) {
            byGid.put(decision.gid() + "/" + decision.xid(), decision);
        }

        @Override
        public Map<String, CriticalDecision> read(Collection<Prepared> transactions) {
            if (down) {
                throw SyncException.retryable("the graph is down", null);
            }
            Map<String, CriticalDecision> found = new HashMap<>();
            transactions.forEach(t -> {
                CriticalDecision decision = byGid.get(t.gid() + "/" + t.xid());
                if (decision != null) {
                    found.put(t.gid(), decision);
                }
            });
            return found;
        }

        @Override
        public CriticalDecision decideIfAbsent(CriticalDecision decision) {
            if (racingDecision != null) {
                byGid.putIfAbsent(racingDecision.gid() + "/" + racingDecision.xid(), racingDecision);
            }
            return byGid.computeIfAbsent(decision.gid() + "/" + decision.xid(), g -> decision);
        }

        @Override
        public int forgetDecidedBefore(Instant before, Collection<String> stillPrepared) {
            forgets.add(List.copyOf(stillPrepared));
            return 0;
        }
    }
}
