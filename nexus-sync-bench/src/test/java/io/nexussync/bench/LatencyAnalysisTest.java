package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nexussync.bench.LagChart.Buckets;
import io.nexussync.bench.LagChart.Panel;
import io.nexussync.bench.LagChart.Series;
import io.nexussync.core.mapping.Lane;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyAnalysisTest {

    @Test
    void shouldTakeNearestRankPercentiles() {
        long[] micros = new long[100];
        for (int i = 0; i < 100; i++) {
            micros[i] = (100 - i) * 1_000L; // 1..100 ms, unsorted
        }

        Percentiles p = Percentiles.of(micros);

        assertThat(p.count()).isEqualTo(100);
        assertThat(p.p50()).isEqualTo(50_000);
        assertThat(p.p95()).isEqualTo(95_000);
        assertThat(p.p99()).isEqualTo(99_000);
        assertThat(p.max()).isEqualTo(100_000);
        assertThat(Percentiles.of(new long[0]).cells()).isEqualTo("- | - | - | -");
    }

    @Test
    void shouldPlaceEachBucketAtItsPointsMeanTime() {
        Buckets b = Buckets.perSecond(new double[] {0.2, 0.4, 2.5}, new long[] {10_000, 30_000, 5_000});

        assertThat(b.x()).hasSize(2);
        assertThat(b.x()[0]).isCloseTo(0.3, within(1e-9));
        assertThat(b.x()[1]).isEqualTo(2.5);
        assertThat(b.max()).containsExactly(30.0, 5.0);
        assertThat(b.p50()).containsExactly(10.0, 5.0);
        assertThat(Buckets.fitting(1.4, new double[] {1.0}, new long[] {1}).per()).isEqualTo("0.02 s");
    }

    @Test
    void shouldCountChangesCommittedBeforeTheBoundary() {
        LatencyRecorder recorder = new LatencyRecorder();
        Instant boundary = Instant.parse("2026-11-24T12:00:00Z");
        recorder.visible(Lane.NORMAL, boundary.minusSeconds(5), boundary.minusSeconds(4));
        recorder.reset(boundary);
        for (int i = 0; i < 70_000; i++) {
            recorder.visible(i % 2 == 0 ? Lane.LOW : Lane.CRITICAL, boundary.plusMillis(i % 2 == 0 ? -1 : 1), boundary.plusSeconds(1));
        }

        assertThat(recorder.visibleCommittedBeforeBoundary()).isEqualTo(35_000);
        LatencyRecorder.Samples samples = recorder.samples();
        assertThat(samples.size()).isEqualTo(70_000);
        assertThat(samples.lane(1)).isEqualTo(Lane.CRITICAL);
        assertThat(samples.latencyMicros(0)).isEqualTo(1_001_000);
    }

    @Test
    void shouldDrawAPng(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lag.png");
        Series series = new Series("max per second", LagChart.RED, new double[] {0.5, 1.5, 2.5}, new double[] {120, 80, 4_000}, false);

        LagChart.write(file, "title", List.of(new Panel("linear", "s", "ms", false, 0, List.of(series), List.of()),
                new Panel("log", "s", "ms", true, 3, List.of(series), List.of(new LagChart.Marker(2, "drained")))));

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getHeight()).isGreaterThan(image.getWidth() / 2);
    }
}
