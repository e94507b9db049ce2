package io.nexussync.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code history.retention} / {@code NEXUS_SYNC_HISTORY_RETENTION}: how long closed versions of temporal relationships are kept. */
class HistoryRetentionSettingTest {
    private static final Map<String, String> MINIMAL_ENV = Map.of(
            "NEXUS_SYNC_PG_URL", "jdbc:postgresql://db:5432/app",
            "NEXUS_SYNC_NEO4J_URI", "bolt://graph:7687");

    @Test
    void shouldKeepEveryVersionUnlessToldOtherwise() {
        SyncConfig defaults = ConfigLoader.load(null, MINIMAL_ENV);
        assertThat(defaults.historyRetention()).isZero();
        assertThat(defaults.historyRetained()).isFalse();
    }

    @Test
    void shouldReadThePeriodAsLogRetentionDoes(@TempDir Path dir) throws Exception {
        assertThat(retention("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(retention("P30D")).isEqualTo(Duration.ofDays(30));
        assertThat(retention("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(retention("off")).isZero();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_HISTORY_RETENTION", "30d")).historyRetained()).isTrue();
        Path file = dir.resolve("nexus-sync.yml");
        Files.writeString(file, "history:\n  retention: 60d\n");
        assertThat(ConfigLoader.load(file, MINIMAL_ENV).historyRetention()).isEqualTo(Duration.ofDays(60));
        // YAML reads an unquoted off as false: still off, for this period and the others that offer off.
        Files.writeString(file, "history:\n  retention: off\nlog:\n  retention: off\nverify:\n  interval: off\n");
        SyncConfig off = ConfigLoader.load(file, MINIMAL_ENV);
        assertThat(off.historyRetention()).isZero();
        assertThat(off.logRetention()).isZero();
        assertThat(off.verifyInterval()).isZero();
    }

    @Test
    void shouldRefuseABadPeriodNamingTheVariableAndTheFix() {
        for (String bad : new String[] {"30", "30 days", "30s", "-1d"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_HISTORY_RETENTION", bad)))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("NEXUS_SYNC_HISTORY_RETENTION is '" + bad + "': use ISO-8601")
                    .hasMessageContaining("0 or off keeps everything");
        }
    }

    private static Duration retention(String value) {
        return ConfigLoader.load(null, with("NEXUS_SYNC_HISTORY_RETENTION", value)).historyRetention();
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put(key, value);
        return env;
    }
}
