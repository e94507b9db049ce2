package io.nexussync.postgres.slot;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

class SlotHealthTest {
    private static final long GIB = 1L << 30;

    @Test
    void shouldBeOkWithinTheThreshold() {
        SlotHealth health = slot("reserved", 10_000L, 500L, null, false);

        assertThat(health.lost()).isFalse();
        assertThat(health.warnings(GIB)).isEmpty();
        assertThat(health.state(GIB)).isEqualTo("ok");
    }

    @Test
    void shouldWarnAboveTheThresholdAndSayWhetherTheSyncIsBehind() {
        SlotHealth behind = slot("extended", 3 * GIB, 3 * GIB, null, false);
        SlotHealth heldByTransaction = slot("extended", 3 * GIB, 1_000L, null, false);

        assertThat(behind.state(GIB)).isEqualTo("warning");
        assertThat(behind.warnings(GIB)).singleElement().asString()
                .contains("retains 3 GiB of WAL", "threshold of 1 GiB", "NEXUS_SYNC_WAL_WARN_BYTES", "3 GiB behind");
        assertThat(heldByTransaction.warnings(GIB)).singleElement().asString().contains("long-running transaction");
    }

    @Test
    void shouldWarnWhenTheWalIsNoLongerReserved() {
        SlotHealth health = slot("unreserved", 10_000L, 10_000L, null, false);

        assertThat(health.warnings(GIB)).singleElement().asString().contains("unreserved", "next checkpoint");
    }

    @Test
    void shouldBeLostByWalStatusAloneOnServersBefore17() {
        SlotHealth health = slot("lost", null, 70_000_000L, null, false);

        assertThat(health.lost()).isTrue();
        assertThat(health.state(GIB)).isEqualTo("lost");
        assertThat(health.reason()).isEqualTo("wal_removed");
        assertThat(health.warnings(GIB)).isEmpty();
    }

    @Test
    void shouldTakeTheReasonFromPostgres17() {
        SlotHealth health = slot("lost", null, 1L, "rows_removed", true);

        assertThat(health.reason()).isEqualTo("rows_removed");
        assertThat(health.problem().getMessage()).contains("(rows_removed)", "conflict with recovery");
    }

    @Test
    void shouldStopWithTheDocumentedMessage() {
        SlotInvalidatedException problem = slot("lost", null, 1L, "wal_removed", false).problem();

        assertThat(problem.isRetryable()).isFalse();
        assertThat(problem.getMessage()).startsWith("replication slot 'nexus_slot' was invalidated (wal_removed): "
                        + "PostgreSQL removed WAL the sync had not read yet")
                .contains("so changes were lost for the graph")
                .endsWith("Recover with: nexus-sync resync (creates a new slot, snapshots every mapped table, verifies)");
    }

    @Test
    void shouldRecogniseTheServersErrorForAnInvalidatedSlot() {
        PSQLException pg17 = serverError("can no longer get changes from replication slot \"nexus_slot\"",
                "This slot has been invalidated because it exceeded the maximum reserved size.");
        PSQLException pg18 = serverError("can no longer access replication slot \"nexus_slot\"",
                "This replication slot has been invalidated due to \"idle_timeout\".");
        PSQLException other = serverError("replication slot \"nexus_slot\" does not exist", null);

        assertThat(SlotInvalidatedException.fromServerError("nexus_slot", pg17).reason()).isEqualTo("wal_removed");
        assertThat(SlotInvalidatedException.fromServerError("nexus_slot", pg18).reason()).isEqualTo("idle_timeout");
        assertThat(SlotInvalidatedException.fromServerError("nexus_slot", other)).isNull();
    }

    @Test
    void shouldFormatBytesForPeople() {
        assertThat(Bytes.format(0)).isEqualTo("0 bytes");
        assertThat(Bytes.format(1536)).isEqualTo("1.5 KiB");
        assertThat(Bytes.format(16L << 20)).isEqualTo("16 MiB");
        assertThat(Bytes.format(GIB)).isEqualTo("1 GiB");
        assertThat(Bytes.format(-16L << 20)).as("safe_wal_size goes negative once the slot is past the limit").isEqualTo("-16 MiB");
    }

    private static PSQLException serverError(String message, String detail) {
        String fields = "SERROR\0C55000\0M" + message + "\0" + (detail == null ? "" : "D" + detail + "\0");
        return new PSQLException(new ServerErrorMessage(fields));
    }

    private static SlotHealth slot(String walStatus, Long retained, Long lag, String reason, boolean conflicting) {
        return new SlotHealth("nexus_slot", true, false, null, walStatus, null, retained, lag,
                Lsn.valueOf("0/1000"), Lsn.valueOf("0/900"), Lsn.valueOf("0/2000"), reason, conflicting, true, Instant.EPOCH);
    }
}
