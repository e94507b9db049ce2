package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.verify.Finding;
import io.nexussync.core.verify.FindingKind;
import io.nexussync.core.verify.FindingStatus;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.core.verify.RepairAction;
import io.nexussync.core.verify.VerifyReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code nexus-sync verify}'s options, refusals and exit codes, without servers. */
class VerifyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> NO_SERVERS = Map.of("NEXUS_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:1/none",
            "NEXUS_SYNC_NEO4J_URI", "bolt://127.0.0.1:1");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) {
        return NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private CliContext context() {
        return new CliContext(NO_SERVERS, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseRepairWithDryRunBeforeConnectingAnywhere() {
        assertThat(run(NO_SERVERS, "verify", "--repair", "--dry-run")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--repair and --dry-run exclude each other");
    }

    @Test
    void shouldRefuseAWrongTakeOrAMissingReason() {
        assertThat(run(NO_SERVERS, "verify", "resolve", "12", "--take", "both", "--reason", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--take is 'both': use postgres").contains("or graph");
        err.reset();
        assertThat(run(NO_SERVERS, "verify", "resolve", "12", "--take", "graph")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--reason");
        err.reset();
        assertThat(run(NO_SERVERS, "verify", "--wait", "soon")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'soon' is not a duration");
        err.reset();
        assertThat(run(NO_SERVERS, "verify-entity", "public.tags")).as("KEY missing").isEqualTo(2);
    }

    @Test
    void shouldExitWithTheConfigurationCodeWhenTheSettingsAreMissing() {
        assertThat(run(new HashMap<>(), "verify")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("NEXUS_SYNC_PG_URL");
    }

    @Test
    void shouldReadDurationsWithUnitsIsoOrBareSeconds() {
        VerifyCommand.DurationConverter convert = new VerifyCommand.DurationConverter();
        assertThat(convert.convert("120s")).isEqualTo(Duration.ofSeconds(120));
        assertThat(convert.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(convert.convert("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(convert.convert("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(convert.convert("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldExitZeroWhenTheSidesAgreeAndThreeWhenNot() throws Exception {
        FakeLog log = new FakeLog();
        assertThat(VerifyCommand.finish(context(), log, report(List.of(), 0, 0), false, Duration.ZERO, false)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("no discrepancies").contains("the two sides agree");
        out.reset();
        assertThat(VerifyCommand.finish(context(), log, report(List.of(), 0, 2), false, Duration.ZERO, false))
                .as("unsettled suspects: not agreeing, not a finding").isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 unsettled: ").contains("kept changing");
        out.reset();
        assertThat(VerifyCommand.finish(context(), log, report(List.of(finding(7, FindingStatus.FOUND)), 1, 0), false, Duration.ZERO, false))
                .isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 discrepancies, by check and entity type:")
                .contains("attribute").contains("public.tags").contains("#7 property-differs public.tags 42 [name] found");
    }

    @Test
    void shouldFollowTheRepairsTheServiceCarriesOutAndPrintOneJsonDocument() throws Exception {
        FakeLog log = new FakeLog();
        log.now = finding(7, FindingStatus.REPAIRED);

        int exit = VerifyCommand.finish(context(), log, report(List.of(finding(7, FindingStatus.REPAIR_REQUESTED)), 1, 0), true,
                Duration.ofSeconds(5), true);

        assertThat(exit).as("what the run found, though repaired since").isEqualTo(3);
        JsonNode document = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(document.get("agrees").asBoolean()).isFalse();
        assertThat(document.get("findingList").get(0).get("status").asText()).isEqualTo("repair-requested");
        assertThat(document.get("repairs").get(0).get("status").asText()).isEqualTo("repaired");
        assertThat(document.get("repairNote").isNull()).isTrue();
    }

    @Test
    void shouldSayPlainlyWhenNoServiceCarriedTheRepairsOut() throws Exception {
        FakeLog log = new FakeLog();
        log.now = finding(7, FindingStatus.REPAIR_REQUESTED);

        VerifyCommand.finish(context(), log, report(List.of(finding(7, FindingStatus.REPAIR_REQUESTED)), 1, 0), true, Duration.ZERO, false);

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 repairs queued, none carried out within 0 s: is a service running?")
                .contains("carried out when nexus-sync run runs");
    }

    private static LoggedFinding finding(long id, FindingStatus status) {
        return new LoggedFinding(id, new Finding(FindingKind.PROPERTY_DIFFERS, "public.tags", "Tag", "42", "4:x:1", List.of("name")), status,
                RepairAction.REFRESH_FROM_ROW, "postgres-owns-core-data", "verify", null, Instant.parse("2025-01-01T00:00:00Z"), null, null);
    }

    private static VerifyReport report(List<LoggedFinding> findings, long count, long unsettled) {
        return new VerifyReport(Instant.parse("2025-01-01T00:00:00Z"), Duration.ofSeconds(2),
                List.of(new VerifyReport.SubjectResult("public.tags", "Tag", 10, 10, 1, count > 0 ? 1 : 0, count + unsettled, count)), findings,
                count, 0, unsettled, List.of(), false);
    }

    /** Answers {@link #finding} with {@link #now}; nothing else is asked of it. */
    private static final class FakeLog implements ReconciliationLog {
        volatile LoggedFinding now;

        @Override
        public Optional<LoggedFinding> finding(long id) {
            return Optional.ofNullable(now);
        }

        @Override
        public long found(Finding finding, String by) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<LoggedFinding> openFor(String table, String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void requestRepair(Collection<Long> ids, String by) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<LoggedFinding> repairQueue(int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void repairing(long id, RepairAction action, String rule, String repairId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void repaired(long id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void waiting(long id, String rule, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void cleared(long id, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<LoggedFinding> findings(boolean openOnly, int limit) {
            throw new UnsupportedOperationException();
        }
    }
}
