package io.nexussync.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PgTemporalTest {

    @Test
    void shouldReadTheCommonTimestamptzFormByPositionExactlyAsThePatternReadsIt() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String text = String.format("%04d-%02d-%02d %02d:%02d:%02d%s%s",
                    1 + random.nextInt(9_999), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), fraction(random), offset(random));

            OffsetDateTime byPosition = PgTemporal.commonTimestamptz(text);

            assertThat(byPosition).as(text).isNotNull().isEqualTo(PgTemporal.timestamptzByPattern(text));
        }
    }

    @Test
    void shouldLeaveEveryOtherFormToThePattern() {
        for (String text : new String[] {
                "12345-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC", "2026-12-06 19:26:36+05:30:15",
                "2026-12-06T19:26:36+00", "2026-12-06 19:26:36.+00", "2026-12-06 19:26:36.1234567891+00",
                "2026-12-06 19:26:36", "2026-12-06 19:26:36Z", "2026-1x-06 19:26:36+00", "infinity", "-infinity"}) {
            assertThat(PgTemporal.commonTimestamptz(text)).as(text).isNull();
        }
        assertThat(PgTemporal.timestamptz("0044-03-15 12:00:00+00 BC")).isEqualTo(PgTemporal.timestamptzByPattern("0044-03-15 12:00:00+00 BC"));
    }

    private static String fraction(Random random) {
        int digits = random.nextInt(7);
        if (digits == 0) {
            return "";
        }
        StringBuilder fraction = new StringBuilder(".");
        for (int d = 0; d < digits; d++) {
            fraction.append(random.nextInt(10));
        }
        return fraction.toString();
    }

    private static String offset(Random random) {
        String sign = random.nextBoolean() ? "+" : "-";
        int hours = random.nextInt(15);
        return switch (random.nextInt(3)) {
            case 0 -> "+00";
            case 1 -> sign + String.format("%02d", hours);
            default -> sign + String.format("%02d:%02d", hours, random.nextInt(60));
        };
    }
}
