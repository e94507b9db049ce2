package io.nexussync.app.components;

import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A component's context for a test: records each wait the component asks for, runs {@code between} in place of the
 * wait, and reports the session stopped at the wait after {@code waitsBeforeStop} of them.
 */
final class RecordedWaits implements ComponentContext {
    private final int waitsBeforeStop;
    private final Runnable between;
    final List<Duration> waits = new ArrayList<>();
    boolean ready;

    RecordedWaits(int waitsBeforeStop) {
        this(waitsBeforeStop, () -> { });
    }

    RecordedWaits(int waitsBeforeStop, Runnable between) {
        this.waitsBeforeStop = waitsBeforeStop;
        this.between = between;
    }

    @Override
    public void ready() {
        ready = true;
    }

    @Override
    public void fail(SyncException problem) {
        throw new AssertionError("not expected: " + problem);
    }

    @Override
    public boolean stopping() {
        return false;
    }

    @Override
    public boolean stoppedWithin(Duration timeout) {
        if (waits.size() >= waitsBeforeStop) {
            return true;
        }
        waits.add(timeout);
        between.run();
        return false;
    }
}
