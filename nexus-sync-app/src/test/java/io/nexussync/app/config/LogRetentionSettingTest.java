package io.nexussync.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code log.retention} / {@code NEXUS_SYNC_LOG_RETENTION}: how long the transaction log keeps its rows. */
class LogRetentionSettingTest {
    private static final Map<String, String> MINIMAL_ENV = Map.of(
            "NEXUS_SYNC_PG_URL", "jdbc:postgresql://db:5432/app",
            "NEXUS_SYNC_NEO4J_URI", "bolt://graph:7687");

    @Test
    void shouldKeepSevenDaysUnlessToldOtherwise() {
        SyncConfig defaults = ConfigLoader.load(null, MINIMAL_ENV);
        assertThat(defaults.logRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(defaults.logRetained()).isTrue();
    }

    @Test
    void shouldReadIsoAndUnitDurationsAndZeroOrOffAsKeepEverything() {
        assertThat(retention("P30D")).isEqualTo(Duration.ofDays(30));
        assertThat(retention("PT12H")).isEqualTo(Duration.ofHours(12));
        assertThat(retention("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(retention("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(retention("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(retention("0")).isZero();
        assertThat(retention("off")).isZero();
        assertThat(ConfigLoader.load(null, with("NEXUS_SYNC_LOG_RETENTION", "OFF")).logRetained()).isFalse();
    }

    @Test
    void shouldRefuseABareNumberAnUnknownUnitAndLessThanAMinuteNamingTheVariableAndTheFix() {
        for (String bad : new String[] {"7", "7 weeks", "30s", "PT10S", "-1d", "P"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, with("NEXUS_SYNC_LOG_RETENTION", bad)))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("NEXUS_SYNC_LOG_RETENTION is '" + bad + "': use ISO-8601 (P7D, PT12H) or a number with m, h or d")
                    .hasMessageContaining("0 or off keeps everything");
        }
    }

    private static Duration retention(String value) {
        return ConfigLoader.load(null, with("NEXUS_SYNC_LOG_RETENTION", value)).logRetention();
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> env = new HashMap<>(MINIMAL_ENV);
        env.put(key, value);
        return env;
    }
}
