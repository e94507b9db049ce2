package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.deadletter.DeadLetter;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.deadletter.PgDeadLetterStore;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter store on the real table, for what a crash can make the stream replay. Found by DeadLetterCrashIT
 * (2 runs in 14): a change parked behind a head was recorded, the service was killed before the graph counted it, a
 * person retried the head (which marks the parked change retried too), and the next start replayed the change: the
 * graph refused it again, and the store answered with the id of the parked row, so the entity's later changes waited
 * behind a row that is not a head and that no retry would ever release; the entity was missing from the graph for good.
 */
class DeadLetterStoreIT {
    private static final TableId CONTENT_ITEMS = new TableId("public", "content_items");

    @Test
    void shouldAnswerAReplayedChangeWithTheHeadItWaitedBehindNotWithItsOwnParkedRow() throws Exception {
        try (SyncEnvironment env = SyncEnvironment.create("dead_letter_store")) {
            env.setup();
            PgDeadLetterStore store = new PgDeadLetterStore(PgConnectionSource.direct(env.config().postgres(), "test"));
            UUID item = UUID.randomUUID();
            Set<String> entities = Set.of("ContentItem:" + item);
            Position refused = new Position(Lsn.of(0x1000), 0);
            Position later = new Position(Lsn.of(0x2000), 0);

            long head = store.record(new DeadLetter(refused, insert(item, "poison"), entities, "refused", 0));
            long parked = store.record(new DeadLetter(later, update(item, "poison"), entities, "waits behind dead letter #" + head, head));
            // `dlq retry` of the head marks it and the changes parked behind it: they are no longer open.
            env.sql("UPDATE nexus_sync.dead_letter SET status = 'retried' WHERE id IN (?, ?)", head, parked);

            // The stream replays the parked change (the crash came before the graph counted it) and the graph refuses it again.
            long answer = store.record(new DeadLetter(later, update(item, "poison"), entities, "refused again", 0));

            assertThat(parked).isNotEqualTo(head);
            assertThat(answer).as("the dead letter the replayed change's entities must wait behind").isEqualTo(head);
            assertThat(store.record(new DeadLetter(refused, insert(item, "poison"), entities, "refused again", 0)))
                    .as("a replayed head is its own").isEqualTo(head);
        }
    }

    private static RowChange insert(UUID id, String title) {
        return new RowChange.Insert(CONTENT_ITEMS, Map.of("id", id.toString(), "title", title));
    }

    private static RowChange update(UUID id, String title) {
        return new RowChange.Update(CONTENT_ITEMS, null, Map.of("id", id.toString(), "title", title));
    }
}
