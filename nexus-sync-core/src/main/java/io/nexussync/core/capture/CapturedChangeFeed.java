package io.nexussync.core.capture;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.Lsn;
import java.time.Duration;

/**
 * The feed within one process: each poll reads one captured event from the source and lets the
 * {@link TransactionReader} turn it into an item, on the polling thread, so there is no queue or thread between
 * the halves beyond the source's own.
 */
public final class CapturedChangeFeed implements ChangeFeed {
    private final ChangeSource source;
    private final TransactionReader reader;

    public CapturedChangeFeed(ChangeSource source, TransactionReader reader) {
        this.source = source;
        this.reader = reader;
    }

    /**
     * Events that hold nothing for the apply half (a Begin, our own echo) are read past, without waiting again: null
     * means the source had nothing more within {@code timeout}, which the apply loop takes as having caught up.
     */
    @Override
    public StreamItem poll(Duration timeout) throws InterruptedException {
        Duration wait = timeout;
        while (true) {
            StreamItem released = reader.nextReleased();
            if (released != null) {
                return released;
            }
            CaptureEvent event = source.poll(wait);
            if (event == null) {
                return null;
            }
            StreamItem item = reader.read(event);
            if (item != null) {
                return item;
            }
            wait = Duration.ZERO;
        }
    }

    /** Never past the PREPARE of a prepared transaction held back: a restart must read it again (see TransactionReader). */
    @Override
    public void acknowledge(Lsn appliedEnd) {
        Lsn holdsFrom = reader.holdsFrom();
        source.acknowledge(holdsFrom.isValid() && holdsFrom.isBefore(appliedEnd) ? holdsFrom : appliedEnd);
    }
}
