package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PaceScheduleTest {
    private static final long START = 5_000_000_000L;

    @Test
    void shouldSpreadEventsEvenlyFromTheStart() {
        PaceSchedule fortyPerSecond = new PaceSchedule(40, START);

        assertThat(fortyPerSecond.dueNanos(1)).isEqualTo(START + 25_000_000);
        assertThat(fortyPerSecond.dueNanos(40)).isEqualTo(START + 1_000_000_000);
        assertThat(fortyPerSecond.dueNanos(2_400)).isEqualTo(START + 60_000_000_000L);
    }

    @Test
    void shouldNeverMakeAnEventDueEarly() {
        PaceSchedule thirdOfAMillisecond = new PaceSchedule(3_000, START);

        assertThat(thirdOfAMillisecond.dueNanos(1)).isEqualTo(START + 333_334);
        assertThat(thirdOfAMillisecond.dueNanos(3)).isEqualTo(START + 1_000_000);
    }

    @Test
    void shouldSayHowLongUntilTheNextEventAndZeroWhenBehind() {
        PaceSchedule tenPerSecond = new PaceSchedule(10, START);

        assertThat(tenPerSecond.nanosUntilNext(0, START)).isEqualTo(100_000_000);
        assertThat(tenPerSecond.nanosUntilNext(0, START + 40_000_000)).isEqualTo(60_000_000);
        assertThat(tenPerSecond.nanosUntilNext(3, START + 350_000_000)).isEqualTo(50_000_000);
        assertThat(tenPerSecond.nanosUntilNext(3, START + 400_000_000)).isZero();
        assertThat(tenPerSecond.nanosUntilNext(3, START + 2_000_000_000L)).isZero();
    }

    @Test
    void shouldKeepTheRateAcrossNanoTimesSignChange() {
        PaceSchedule nearOverflow = new PaceSchedule(1_000, Long.MAX_VALUE - 500_000);

        assertThat(nearOverflow.nanosUntilNext(0, Long.MAX_VALUE - 500_000)).isEqualTo(1_000_000);
        assertThat(nearOverflow.nanosUntilNext(0, Long.MAX_VALUE + 600_000)).isZero();
    }

    @Test
    void shouldRefuseARateThatIsNotPositive() {
        assertThatThrownBy(() -> new PaceSchedule(0, START)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new PaceSchedule(Double.NaN, START)).hasMessageContaining("positive");
    }
}
