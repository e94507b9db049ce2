package io.nexussync.core.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.apply.ConsumedOffsets.PartitionRange;
import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.model.Checkpoint;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.SnapshotMark;
import io.nexussync.core.plan.GraphWritePlan;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of record is written by its own method of the writer, with the plan it came with. */
class CommitRecordTest {
    private static final GraphWritePlan PLAN = new GraphWritePlan(List.of(), 3);
    private final List<String> calls = new ArrayList<>();
    private final List<Object> written = new ArrayList<>();

    @Test
    void shouldWriteConsumedOffsetsWithApplyConsumedAsAnApply() {
        ConsumedOffsets offsets = ConsumedOffsets.of("graph-a", new PartitionRange("changes", 0, 4, 9));
        CommitRecord record = CommitRecord.of(offsets);

        ApplyResult result = record.writeWith(new NamingWriter(), PLAN);

        assertThat(record).isEqualTo(new CommitRecord.Consumed(offsets));
        assertThat(record.operation()).isEqualTo("apply");
        assertThat(calls).containsExactly("applyConsumed");
        assertThat(written).containsExactly(PLAN, offsets);
        assertThat(result.nodeRows()).isEqualTo(3);
    }

    @Test
    void shouldWriteEveryOtherKindWithItsOwnMethod() {
        CommitRecord.of(Checkpoint.after(Lsn.valueOf("0/10"))).writeWith(new NamingWriter(), PLAN);
        CommitRecord.of(SnapshotMark.running(Lsn.valueOf("0/10"), 1)).writeWith(new NamingWriter(), PLAN);
        CommitRecord.repair("r-1").writeWith(new NamingWriter(), PLAN);

        assertThat(calls).containsExactly("apply", "applySnapshot", "applyRepair");
    }

    /** Records which method was called and with what; answers the plan's change count as its node rows. */
    private final class NamingWriter implements GraphWriter {
        private ApplyResult called(String method, GraphWritePlan plan, Object record) {
            calls.add(method);
            written.add(plan);
            written.add(record);
            return new ApplyResult(List.of(), plan.sourceChanges(), 0);
        }

        @Override
        public ApplyResult apply(GraphWritePlan plan, Checkpoint checkpoint) {
            return called("apply", plan, checkpoint);
        }

        @Override
        public ApplyResult applySnapshot(GraphWritePlan plan, SnapshotMark mark) {
            return called("applySnapshot", plan, mark);
        }

        @Override
        public ApplyResult applyRepair(GraphWritePlan plan, String repairId) {
            return called("applyRepair", plan, repairId);
        }

        @Override
        public CriticalApplied applyCritical(GraphWritePlan plan, Checkpoint checkpoint, CriticalDecision decision) {
            throw new AssertionError("no commit record writes a critical transaction");
        }

        @Override
        public ApplyResult applyConsumed(GraphWritePlan plan, ConsumedOffsets offsets) {
            return called("applyConsumed", plan, offsets);
        }
    }
}
