package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.bench.KafkaEndToEndBenchmark.Options;
import org.junit.jupiter.api.Test;

class KafkaEndToEndOptionsTest {

    @Test
    void shouldDefaultToTheFullRun() {
        assertThat(Options.parse()).isEqualTo(new Options(100_000, 1_000, 60, 30, 40));
    }

    @Test
    void shouldReadChangesAndEachOptionInAnyOrder() {
        assertThat(Options.parse("--paced-seconds", "20", "5_000", "--probe-rate", "50", "--paced-warmup", "5", "--paced-rate", "800"))
                .isEqualTo(new Options(5_000, 800, 20, 5, 50));
    }

    @Test
    void shouldNameTheUsageForBadInput() {
        assertThatThrownBy(() -> Options.parse("--paced-rate")).hasMessageContaining("usage:");
        assertThatThrownBy(() -> Options.parse("--probe-rate", "0")).hasMessageContaining("usage:");
        assertThatThrownBy(() -> Options.parse("lots")).hasMessageContaining("not a number: lots");
    }
}
