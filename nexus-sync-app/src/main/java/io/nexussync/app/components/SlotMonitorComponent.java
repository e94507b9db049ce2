package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.slot.SlotHealth;
import io.nexussync.postgres.slot.SlotInvalidatedException;
import io.nexussync.postgres.slot.SlotMonitor;
import java.time.Duration;

/**
 * The slot's health read every interval on the monitor's own thread, for status, metrics and warnings; a slot PostgreSQL
 * has invalidated stops the service (the stream would go on from after the gap).
 */
public final class SlotMonitorComponent implements Component {
    private final SlotMonitor monitor;
    private volatile ComponentContext context;

    public SlotMonitorComponent(PgConnectionSource postgres, long warnBytes, Duration interval) {
        this.monitor = new SlotMonitor(postgres, warnBytes, interval, this::lost);
    }

    private void lost(SlotInvalidatedException problem) {
        ComponentContext running = context;
        if (running != null) {
            running.fail(problem);
        }
    }

    /** Reads the slot now; throws the documented {@link SlotInvalidatedException} when PostgreSQL has invalidated it. */
    public SlotHealth checkNow() {
        return monitor.checkNow();
    }

    /** The last reading, or null before the first. */
    public SlotHealth latest() {
        return monitor.latest();
    }

    @Override
    public String name() {
        return "slot-monitor";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        this.context = context;
        monitor.start();
        context.ready();
        while (!context.stoppedWithin(Duration.ofDays(1))) {
            // the monitor reads on its own thread; this session only lasts until the stop
        }
    }

    @Override
    public void stop() {
        monitor.close();
    }
}
