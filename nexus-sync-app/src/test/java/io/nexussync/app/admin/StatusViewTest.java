package io.nexussync.app.admin;

import io.nexussync.core.pipeline.ServiceState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.core.pipeline.SyncProgress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /status} is open: what it says about failures. */
class StatusViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldNameWhatFailedAndItsSqlStateInLastErrorAndEachCircuitButNeverARowValue() throws Exception {
        SyncProgress progress = new SyncProgress();
        progress.stateChanged(ServiceState.RECONNECTING, RowValueFailures.castFailure("recording a dead letter"));
        CircuitBreaker writeBack = RowValueFailures.openedCircuit("postgres write-back", "write-back");

        String body = JSON.writeValueAsString(StatusView.of(progress, List.of(writeBack), null, 0));

        assertThat(body).doesNotContain(RowValueFailures.SECRET);
        JsonNode status = JSON.readTree(body);
        assertThat(status.get("lastError").asText()).contains("PostgreSQL failed during recording a dead letter").contains("SQLState 22P02");
        assertThat(status.at("/circuits/postgres write-back/lastError").asText()).contains("PostgreSQL failed during write-back")
                .contains("SQLState 40001");
        assertThat(status.at("/circuits/postgres write-back/state").asText()).isEqualTo("OPEN");
    }
}
