package io.nexussync.core.verify;

import io.nexussync.core.backfill.BackfillReader;
import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ChangeWitness} made of two watermarks in the WAL, as a backfill chunk's: the stream opens a window at the low
 * one, notes every entity of the table a change touches, and at the high one reports them instead of letting rows in.
 * Every transaction committed after the low watermark is noted, and every one committed before the high one has been.
 */
public final class StreamChangeWitness implements ChangeWitness {
    private final BackfillReader watermarks;
    private final WatermarkWindows windows;

    public StreamChangeWitness(BackfillReader watermarks, WatermarkWindows windows) {
        this.watermarks = watermarks;
        this.windows = windows;
    }

    @Override
    public Watch watch(TableId table) {
        String id = "verify-" + UUID.randomUUID();
        CompletableFuture<Set<String>> touched = windows.registerWitness(id, table);
        watermarks.emitWatermark(WatermarkWindows.LOW, WatermarkWindows.lowContent(id, table));
        return timeout -> {
            try {
                watermarks.emitWatermark(WatermarkWindows.HIGH, id);
                return touched.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (ExecutionException e) {
                throw SyncException.persistent(ErrorText.of(e.getCause()).after("verify's change witness failed: "), e.getCause());
            } finally {
                windows.forget(id);
            }
        };
    }
}
