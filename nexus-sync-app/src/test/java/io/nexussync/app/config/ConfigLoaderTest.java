package io.nexussync.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nexussync.core.model.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Map<String, String> MINIMAL_ENV = Map.of(
            "NEXUS_SYNC_PG_URL", "jdbc:postgresql://db:5432/app",
            "NEXUS_SYNC_NEO4J_URI", "bolt://graph:7687");

    @TempDir
    Path dir;

    @Test
    void shouldLoadFromEnvironmentAloneWithDefaults() {
        SyncConfig config = ConfigLoader.load(null, MINIMAL_ENV);

        assertThat(config.postgres().url()).isEqualTo("jdbc:postgresql://db:5432/app");
        assertThat(config.postgres().user()).isEqualTo("postgres");
        assertThat(config.postgres().password()).isEmpty();
        assertThat(config.postgres().slot()).isEqualTo("contextnexus_cdc");
        assertThat(config.postgres().publication()).isEqualTo("contextnexus_sync");
        assertThat(config.neo4jUri()).isEqualTo("bolt://graph:7687");
        assertThat(config.neo4jUser()).isEmpty();
        assertThat(config.neo4jAuthentication()).isFalse();
        assertThat(config.neo4jDatabase()).isNull();
        assertThat(config.builtInMapping()).isTrue();
        assertThat(config.batchSize()).isEqualTo(5000);
        assertThat(config.batchDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.queueCapacity()).isEqualTo(20000);
        assertThat(config.admin().port()).isEqualTo(8089);
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.walWarnBytes()).isEqualTo(1L << 30);
        assertThat(config.slotCheckInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldReadKafkaClientSettingsFromTheirFileAndNeverPrintTheirValues() throws IOException {
        Path file = dir.resolve("kafka-client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"sync\" password=\"s3cret\";\n");

        KafkaSettings kafka = ConfigLoader.load(null, with("NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES", file.toString())).kafka();

        assertThat(kafka.clientProperties()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsKey("sasl.jaas.config");
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", "b:9093", "NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES", file.toString()))
                .kafka().connection("apply").clientProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(kafka.toString()).contains("sasl.jaas.config").doesNotContain("s3cret");
        assertThat(ConfigLoader.load(null, MINIMAL_ENV).kafka().clientProperties()).isEmpty();
    }

    @Test
    void shouldRefuseAKafkaClientSettingsFileThatIsMissingOrSetsWhatTheGuaranteesRestOn() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES", dir.resolve("absent.properties").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES is '" + dir.resolve("absent.properties") + "', which cannot be read");
        Path undoing = dir.resolve("undoing.properties");
        Files.writeString(undoing, "isolation.level=read_uncommitted\nacks=1\nclient.id=mine\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES", undoing.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sets [acks, isolation.level], which nexus-sync sets itself")
                .hasMessageContaining("remove them from the file");
    }

    @Test
    void shouldTakeSlotSafetySettingsWithUnits() {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put("NEXUS_SYNC_HEARTBEAT_MS", "0");
        env.put("NEXUS_SYNC_WAL_WARN_BYTES", "512MB");
        env.put("NEXUS_SYNC_SLOT_CHECK_MS", "250");

        SyncConfig config = ConfigLoader.load(null, env);

        assertThat(config.heartbeat()).as("0 turns the heartbeat off").isEqualTo(Duration.ZERO);
        assertThat(config.walWarnBytes()).isEqualTo(512L << 20);
        assertThat(config.slotCheckInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WAL_WARN_BYTES", "2 GiB")).walWarnBytes()).isEqualTo(2L << 30);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WAL_WARN_BYTES", "65536")).walWarnBytes()).isEqualTo(65536);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WAL_WARN_BYTES", "64kB")).walWarnBytes()).isEqualTo(65536);
    }

    @Test
    void shouldReadTheTablesWhoseRefusedInsertsAreRevertedAndRejectWhatIsNoTableName() {
        assertThat(ConfigLoader.load(null, MINIMAL_ENV).revertRefused()).isEmpty();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_REVERT_REFUSED_INSERTS", "public.orders, payments")).revertRefused())
                .containsExactlyInAnyOrder(io.nexussync.core.model.TableId.parse("public.orders"), io.nexussync.core.model.TableId.parse("payments"));
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERT_REFUSED_INSERTS", "orders; drop table x")))
                .hasMessageContaining("NEXUS_SYNC_REVERT_REFUSED_INSERTS names 'orders; drop table x'");
    }

    @Test
    void shouldReadTheRevertSettingUnderItsNameAndItsFormerOneTheNewNameWinning() throws Exception {
        TableId orders = TableId.parse("public.orders");
        TableId payments = TableId.parse("public.payments");
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_REVERT_REFUSED", "public.orders")).revertRefused()).containsExactly(orders);
        Map<String, String> both = with("NEXUS_SYNC_REVERT_REFUSED", "public.orders");
        both.put("NEXUS_SYNC_REVERT_REFUSED_INSERTS", "public.payments");
        assertThat(ConfigLoader.load(null, both).revertRefused()).containsExactly(orders);
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERT_REFUSED", "orders; drop table x")))
                .hasMessageContaining("NEXUS_SYNC_REVERT_REFUSED names 'orders; drop table x'");

        Path former = Files.writeString(dir.resolve("former.yaml"), "sync:\n  revert-refused-inserts: public.payments\n");
        assertThat(ConfigLoader.load(former, MINIMAL_ENV).revertRefused()).containsExactly(payments);
        Path renamed = Files.writeString(dir.resolve("renamed.yaml"), "sync:\n  revert-refused: public.orders\n  revert-refused-inserts: public.payments\n");
        assertThat(ConfigLoader.load(renamed, MINIMAL_ENV).revertRefused()).containsExactly(orders);
        assertThat(ConfigLoader.load(former, with("NEXUS_SYNC_REVERT_REFUSED", "public.orders")).revertRefused())
                .as("the environment over the file, whichever name each uses").containsExactly(orders);
    }

    @Test
    void shouldRejectSlotSafetySettingsOutOfRange() {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put("NEXUS_SYNC_HEARTBEAT_MS", "5");
        env.put("NEXUS_SYNC_WAL_WARN_BYTES", "lots");
        env.put("NEXUS_SYNC_SLOT_CHECK_MS", "0");

        assertThatThrownBy(() -> ConfigLoader.load(null, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("3 problem(s)")
                .hasMessageContaining("NEXUS_SYNC_HEARTBEAT_MS is 5: use at least 100 (ms), or 0 to turn the heartbeat off")
                .hasMessageContaining("NEXUS_SYNC_WAL_WARN_BYTES is 'lots'")
                .hasMessageContaining("NEXUS_SYNC_SLOT_CHECK_MS is 0");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_WAL_WARN_BYTES", "0")))
                .hasMessageContaining("NEXUS_SYNC_WAL_WARN_BYTES is '0'");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_HEARTBEAT_MS", "-1")))
                .hasMessageContaining("NEXUS_SYNC_HEARTBEAT_MS is -1");
    }

    @Test
    void shouldLoadNestedKeysFromYamlFile() throws IOException {
        Path file = write("""
                postgres:
                  url: jdbc:postgresql://pg:5433/contextnexus
                  user: sync
                  password: from-file
                neo4j:
                  uri: neo4j+s://graph.example:7687
                  user: neo4j
                  database: nexus
                sync:
                  slot: my_slot
                  batch-size: 250
                  batch-delay-ms: 20
                admin:
                  port: -1
                """);

        SyncConfig config = ConfigLoader.load(file, Map.of());

        assertThat(config.postgres().url()).isEqualTo("jdbc:postgresql://pg:5433/contextnexus");
        assertThat(config.postgres().user()).isEqualTo("sync");
        assertThat(config.postgres().password()).isEqualTo("from-file");
        assertThat(config.postgres().slot()).isEqualTo("my_slot");
        assertThat(config.neo4jUri()).isEqualTo("neo4j+s://graph.example:7687");
        assertThat(config.neo4jAuthentication()).isTrue();
        assertThat(config.neo4jDatabase()).isEqualTo("nexus");
        assertThat(config.batchSize()).isEqualTo(250);
        assertThat(config.batchDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(config.admin().port()).isEqualTo(-1);
    }

    @Test
    void shouldLetEnvironmentOverrideFile() throws IOException {
        Path file = write("""
                postgres:
                  url: jdbc:postgresql://pg:5433/contextnexus
                  user: from-file
                neo4j:
                  uri: bolt://graph:7687
                sync:
                  batch-size: 250
                """);
        Map<String, String> env = Map.of("NEXUS_SYNC_PG_USER", "from-env", "NEXUS_SYNC_BATCH_SIZE", "99");

        SyncConfig config = ConfigLoader.load(file, env);

        assertThat(config.postgres().user()).isEqualTo("from-env");
        assertThat(config.batchSize()).isEqualTo(99);
        assertThat(config.postgres().url()).isEqualTo("jdbc:postgresql://pg:5433/contextnexus");
    }

    @Test
    void shouldReportEveryProblemInOneExceptionNamingEnvironmentVariables() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("NEXUS_SYNC_BATCH_SIZE", "lots")));

        assertThat(e.getMessage())
                .contains("3 problem(s)")
                .contains("NEXUS_SYNC_PG_URL")
                .contains("NEXUS_SYNC_NEO4J_URI")
                .contains("NEXUS_SYNC_BATCH_SIZE is 'lots'");
    }

    @Test
    void shouldLoadAGraphOnlyCommandsSettingsWithoutPostgresButNotWithoutNeo4j() {
        SyncConfig config = ConfigLoader.loadNeo4jOnly(null, Map.of("NEXUS_SYNC_NEO4J_URI", "bolt://graph:7687"));

        assertThat(config.neo4jUri()).isEqualTo("bolt://graph:7687");
        assertThatThrownBy(() -> ConfigLoader.loadNeo4jOnly(null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("1 problem(s)")
                .hasMessageContaining("NEXUS_SYNC_NEO4J_URI");
    }

    @Test
    void shouldRejectBatchSizeBelowOne() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_BATCH_SIZE", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("1 problem(s)")
                .hasMessageContaining("NEXUS_SYNC_BATCH_SIZE is 0: it must be at least 1");
    }

    @Test
    void shouldRejectUrlsOfWrongScheme() {
        Map<String, String> env = Map.of("NEXUS_SYNC_PG_URL", "postgres://db/app", "NEXUS_SYNC_NEO4J_URI", "http://graph:7474");

        assertThatThrownBy(() -> ConfigLoader.load(null, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_PG_URL is 'postgres://db/app'")
                .hasMessageContaining("NEXUS_SYNC_NEO4J_URI is 'http://graph:7474'");
    }

    @Test
    void shouldRejectAdminPortOutOfRange() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_ADMIN_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_ADMIN_PORT is 70000");
    }

    @Test
    void shouldListenOnLoopbackWithoutATokenAndTimeBackfillReadsOutByDefault() {
        SyncConfig config = ConfigLoader.load(null, MINIMAL_ENV);

        assertThat(config.admin().bind()).isEqualTo("127.0.0.1");
        assertThat(config.admin().hasToken()).isFalse();
        assertThat(config.admin().token()).isNull();
        assertThat(config.backfillStatementTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldTakeTheAdminAddressTokenAndStatementTimeout() {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put("NEXUS_SYNC_ADMIN_BIND", "0.0.0.0");
        env.put("NEXUS_SYNC_ADMIN_TOKEN", "  0123456789abcdef0123  ");
        env.put("NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S", "5");

        SyncConfig config = ConfigLoader.load(null, env);

        assertThat(config.admin().bind()).isEqualTo("0.0.0.0");
        assertThat(config.admin().token()).isEqualTo("0123456789abcdef0123");
        assertThat(config.backfillStatementTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.toString()).doesNotContain("0123456789abcdef0123");
        assertThat(config.admin().toString()).contains("token=<redacted>");
    }

    @Test
    void shouldReadTheAdminTokenFromAFile() throws IOException {
        Path secret = dir.resolve("admin-token");
        Files.writeString(secret, "from-a-mounted-secret-0123\n");

        SyncConfig config = ConfigLoader.load(null, with("NEXUS_SYNC_ADMIN_TOKEN_FILE", secret.toString()));

        assertThat(config.admin().token()).isEqualTo("from-a-mounted-secret-0123");
    }

    @Test
    void shouldRefuseAWeakOrAmbiguousAdminTokenWithoutPrintingIt() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_ADMIN_TOKEN", "short-secret")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the admin token from NEXUS_SYNC_ADMIN_TOKEN is not accepted: use at least 16")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_ADMIN_TOKEN", "has a space in it 0123456789")))
                .hasMessageContaining("without spaces");

        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Map<String, String> both = new HashMap<>(with("NEXUS_SYNC_ADMIN_TOKEN_FILE", empty.toString()));
        both.put("NEXUS_SYNC_ADMIN_TOKEN", "0123456789abcdef0123");
        assertThatThrownBy(() -> ConfigLoader.load(null, both))
                .hasMessageContaining("both NEXUS_SYNC_ADMIN_TOKEN and NEXUS_SYNC_ADMIN_TOKEN_FILE are set")
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_ADMIN_TOKEN_FILE", dir.resolve("missing").toString())))
                .hasMessageContaining("cannot be read");
    }

    @Test
    void shouldRefuseAnAdminAddressThatIsNoneAndAStatementTimeoutBelowOneSecond() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_ADMIN_BIND", "")))
                .hasMessageContaining("NEXUS_SYNC_ADMIN_BIND is ''");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S", "0")))
                .hasMessageContaining("NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S is 0: it must be at least 1");
    }

    @Test
    void shouldNotPrintAPasswordInTheUrlWhenRefusingIt() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_PG_URL", "postgres://sync:pg-secret@db/app?password=pg-secret")))
                .hasMessageContaining("NEXUS_SYNC_PG_URL is 'postgres://sync:<redacted>@db/app?password=<redacted>'")
                .hasMessageNotContaining("pg-secret");
    }

    @Test
    void shouldRejectSlotNameThatIsNotPlain() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_SLOT", "My-Slot")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_SLOT is 'My-Slot'");
    }

    @Test
    void shouldNameUnknownYamlKey() throws IOException {
        Path file = write("""
                postgres:
                  passwrd: oops
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, MINIMAL_ENV))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'postgres.passwrd'")
                .hasMessageContaining("postgres.password");
    }

    @Test
    void shouldReportUnreadableFile() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, MINIMAL_ENV))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldReportInvalidYaml() throws IOException {
        Path file = write("postgres: [unclosed\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, MINIMAL_ENV))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void shouldReportMappingFileThatCannotBeRead() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_MAPPING", dir.resolve("missing.yaml").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_MAPPING");
    }

    @Test
    void shouldNeverShowPasswordsInToString() throws IOException {
        Path file = write("""
                postgres:
                  password: pg-secret-from-file
                """);
        Map<String, String> env = with("NEXUS_SYNC_NEO4J_PASSWORD", "neo4j-secret-from-env");

        SyncConfig config = ConfigLoader.load(file, env);

        assertThat(config.postgres().password()).isEqualTo("pg-secret-from-file");
        assertThat(config.neo4jPassword()).isEqualTo("neo4j-secret-from-env");
        assertThat(config.toString())
                .doesNotContain("pg-secret-from-file")
                .doesNotContain("neo4j-secret-from-env")
                .contains("<redacted>");
    }

    @Test
    void shouldNeverShowPasswordsInErrors() {
        Map<String, String> env = Map.of("NEXUS_SYNC_PG_PASSWORD", "pg-secret", "NEXUS_SYNC_NEO4J_PASSWORD", "neo4j-secret");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(null, env));

        assertThat(e.getMessage()).doesNotContain("pg-secret").doesNotContain("neo4j-secret");
    }

    private static Map<String, String> with(String key, String value, String otherKey, String otherValue) {
        Map<String, String> env = with(key, value);
        env.put(otherKey, otherValue);
        return env;
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put(key, value);
        return env;
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("nexus-sync.yaml"), yaml);
    }

    @Test
    void shouldTakeTheVerifyScheduleAsIsoOrWithAUnitAndTurnItOffWithZeroOrOff() {
        SyncConfig defaults = ConfigLoader.load(null, MINIMAL_ENV);
        assertThat(defaults.verifyInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.verifyRepair()).isFalse();
        assertThat(defaults.scheduledVerify()).isTrue();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "PT30M")).verifyInterval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "6h")).verifyInterval()).isEqualTo(Duration.ofHours(6));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "90s")).verifyInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "off")).scheduledVerify()).isFalse();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "0")).verifyInterval()).isEqualTo(Duration.ZERO);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_REPAIR", "true")).verifyRepair()).isTrue();
    }

    @Test
    void shouldRefuseAVerifyIntervalThatIsAmbiguousTooShortOrNotADuration() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "15")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_VERIFY_INTERVAL is '15': use ISO-8601 (PT1H, PT30M)");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "10s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use at least 1 minute");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_INTERVAL", "hourly")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("0 or off turns it off");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_VERIFY_REPAIR", "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_VERIFY_REPAIR is 'yes': use true or false");
    }

    @Test
    void shouldDefaultReverseSyncToAutoWithALowOutboxIntervalAndReadEachSetting() throws IOException {
        SyncConfig defaults = ConfigLoader.load(null, MINIMAL_ENV);
        assertThat(defaults.reverse()).isEqualTo(ReverseSettings.DEFAULTS);
        assertThat(defaults.reverse().mode()).isEqualTo(ReverseSettings.Mode.AUTO);
        assertThat(defaults.reverse().pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.reverse().outboxInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(defaults.reverse().batchSize()).isEqualTo(100);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_MODE", "POLL")).reverse().mode()).isEqualTo(ReverseSettings.Mode.POLL);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_POLL_INTERVAL", "250ms")).reverse().pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_OUTBOX_INTERVAL", "PT0.01S")).reverse().outboxInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_BATCH_SIZE", "500")).reverse().batchSize()).isEqualTo(500);
        SyncConfig fromFile = ConfigLoader.load(write("postgres:\n  url: jdbc:postgresql://db/app\nneo4j:\n  uri: bolt://graph:7687\n"
                + "reverse:\n  mode: plugin\n  poll-interval: 2s\n  outbox-interval: 20ms\n  batch-size: 50\n"), Map.of());
        assertThat(fromFile.reverse()).isEqualTo(new ReverseSettings(ReverseSettings.Mode.PLUGIN, Duration.ofSeconds(2), Duration.ofMillis(20), 50));
    }

    @Test
    void shouldWriteBackByDefaultAndTakeOnOrOffFromTheEnvironmentAndAnUnquotedYamlValue() throws IOException {
        assertThat(ConfigLoader.load(null, MINIMAL_ENV).writeBack()).isTrue();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "off")).writeBack()).isFalse();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", " OFF ")).writeBack()).isFalse();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "on")).writeBack()).isTrue();
        String file = "postgres:\n  url: jdbc:postgresql://db/app\nneo4j:\n  uri: bolt://graph:7687\nsync:\n  write-back: %s\n";
        // YAML 1.1 reads an unquoted off as false: it must still mean off, and a quoted one too.
        assertThat(ConfigLoader.load(write(file.formatted("off")), Map.of()).writeBack()).isFalse();
        assertThat(ConfigLoader.load(write(file.formatted("'off'")), Map.of()).writeBack()).isFalse();
        assertThat(ConfigLoader.load(write(file.formatted("on")), Map.of()).writeBack()).isTrue();
        assertThat(ConfigLoader.load(write(file.formatted("off")), with("NEXUS_SYNC_WRITE_BACK", "on")).writeBack()).isTrue();
    }

    @Test
    void shouldRefuseAWriteBackValueOtherThanOnOrOffNamingTheSettingAndTheFix() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "no")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_WRITE_BACK (sync.write-back) is 'no': use on (the default")
                .hasMessageContaining("or off (a further graph of the same database");
        String file = "postgres:\n  url: jdbc:postgresql://db/app\nneo4j:\n  uri: bolt://graph:7687\nsync:\n  write-back: sometimes\n";
        assertThatThrownBy(() -> ConfigLoader.load(write(file), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_WRITE_BACK (sync.write-back) is 'sometimes': use on");
    }

    @Test
    void shouldLeaveReverseSyncToTheGraphThatWritesBack() {
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "off")).reverse().mode())
                .as("auto, the default, turns off for a graph that does not write back").isEqualTo(ReverseSettings.Mode.OFF);
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "off", "NEXUS_SYNC_REVERSE_MODE", "off")).reverse().mode())
                .isEqualTo(ReverseSettings.Mode.OFF);
        for (String mode : new String[] {"plugin", "poll"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "off", "NEXUS_SYNC_REVERSE_MODE", mode)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("NEXUS_SYNC_REVERSE_MODE is '" + mode + "' while NEXUS_SYNC_WRITE_BACK is off")
                    .hasMessageContaining("set NEXUS_SYNC_REVERSE_MODE to off (or auto) for this graph");
        }
        assertThat(ConfigLoader.load(null, MINIMAL_ENV).reverse().mode()).as("on: auto stays auto").isEqualTo(ReverseSettings.Mode.AUTO);
    }

    @Test
    void shouldLeaveRevertingRefusedChangesToTheGraphThatWritesBack() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "off", "NEXUS_SYNC_REVERT_REFUSED", "public.orders")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NEXUS_SYNC_REVERT_REFUSED names tables while NEXUS_SYNC_WRITE_BACK is off")
                .hasMessageContaining("leave NEXUS_SYNC_REVERT_REFUSED empty for this graph");
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_WRITE_BACK", "on", "NEXUS_SYNC_REVERT_REFUSED", "public.orders")).revertRefused()).hasSize(1);
    }

    @Test
    void shouldRefuseAnUnknownReverseModeAnAmbiguousIntervalAndABatchOutOfRange() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_MODE", "both")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_REVERSE_MODE is 'both': use auto, plugin, poll or off");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_POLL_INTERVAL", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_REVERSE_POLL_INTERVAL is '5': use ISO-8601");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_POLL_INTERVAL", "10ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("from 100 ms to 1 hour");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_OUTBOX_INTERVAL", "0ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_REVERSE_OUTBOX_INTERVAL is '0ms'");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_BATCH_SIZE", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_REVERSE_BATCH_SIZE is 0: it must be at least 1");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_REVERSE_BATCH_SIZE", "20000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use at most 10000");
    }

    @Test
    void shouldTakeTheCriticalWriteSettingsWithTheirDefaults() throws IOException {
        SyncConfig defaults = ConfigLoader.load(null, MINIMAL_ENV);
        assertThat(defaults.critical()).isEqualTo(CriticalSettings.DEFAULTS);
        assertThat(defaults.critical()).isEqualTo(new CriticalSettings(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(1)));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_TIMEOUT", "2m")).critical().timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_RECOVERY_INTERVAL", "250ms")).critical().recoveryInterval())
                .isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_ALERT_AGE", "PT5M")).critical().alertAge()).isEqualTo(Duration.ofMinutes(5));
        SyncConfig fromFile = ConfigLoader.load(write("postgres:\n  url: jdbc:postgresql://db/app\nneo4j:\n  uri: bolt://graph:7687\n"
                + "critical:\n  timeout: 10s\n  recovery-interval: 500ms\n  alert-age: 45s\n"), Map.of());
        assertThat(fromFile.critical()).isEqualTo(new CriticalSettings(Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(45)));
    }

    @Test
    void shouldRefuseCriticalWriteSettingsThatAreAmbiguousOrTooShort() {
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_TIMEOUT", "30")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_CRITICAL_TIMEOUT is '30': use ISO-8601");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_TIMEOUT", "500ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("from 1000 ms to 1 hour");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_RECOVERY_INTERVAL", "10ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_CRITICAL_RECOVERY_INTERVAL is '10ms'");
        assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_CRITICAL_ALERT_AGE", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_SYNC_CRITICAL_ALERT_AGE is 'soon'");
    }
}
