package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.critical.CriticalDecision.Outcome;
import io.nexussync.core.critical.CriticalTransactions;
import io.nexussync.postgres.critical.CriticalStatus;
import io.nexussync.postgres.critical.CriticalStatus.State;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync critical status}: its settings and usage without servers, and what it prints and exits with over fake statuses. */
class CriticalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> POSTGRES_ONLY = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/none");
    private static final Instant PREPARED = Instant.parse("2026-12-06T10:00:00Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) {
        return NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private CliContext context() {
        return new CliContext(POSTGRES_ONLY, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldNeedOnlyThePostgresqlSettingsAndAnId() {
        assertThat(run(new HashMap<>(), "critical", "status", "order-7")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("NEXUS_SYNC_PG_URL").doesNotContain("NEXUS_SYNC_NEO4J_URI");
        err.reset();
        assertThat(run(POSTGRES_ONLY, "critical", "status")).as("ID missing").isEqualTo(2);
        err.reset();
        assertThat(run(POSTGRES_ONLY, "critical", "status", "two words")).as("not an id: refused before any connection").isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a critical transaction id");
    }

    @Test
    void shouldExitWithTheStateCommitted0RolledBack3Pending4Unknown5() throws Exception {
        assertThat(status(State.COMMITTED, false)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("nexus_sync:order-7: committed").contains("decided: commit by stream");
        out.reset();
        assertThat(status(State.ROLLED_BACK, false)).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("nexus_sync:order-7: rolled back").contains("reason: the graph refused it");
        out.reset();
        assertThat(status(State.PENDING, false)).isEqualTo(4);
        assertThat(status(State.UNKNOWN, false)).isEqualTo(5);
        out.reset();

        assertThat(status(State.ROLLED_BACK, true)).isEqualTo(3);
        JsonNode json = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("state").asText()).isEqualTo("rolled_back");
        assertThat(json.get("reason").asText()).isEqualTo("the graph refused it: a uniqueness constraint");
        assertThat(json.get("preparedAt").asText()).isEqualTo("2026-12-06T10:00:00Z");
    }

    private int status(State state, boolean json) throws Exception {
        return CriticalCommand.status(context(), id -> new CriticalStatus(CriticalTransactions.idOf(CriticalTransactions.gidOf(id)),
                CriticalTransactions.gidOf(id), state, state == State.UNKNOWN ? null : state == State.ROLLED_BACK ? Outcome.ROLLBACK : Outcome.COMMIT,
                state == State.ROLLED_BACK ? "the graph refused it: a uniqueness constraint" : null, "stream", PREPARED, PREPARED.plusMillis(40),
                null, null), "order-7", json);
    }
}
