package io.nexussync.postgres.slot;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A slot another consumer holds may be one going away: PostgreSQL frees it when the walsender of a consumer that left
 * notices, which after a restart of this service can be a moment after the new process is up (a crash test restarting
 * the service met it). Every place that refuses a slot in use (the start-up check, the stream's start, the drop before
 * a snapshot) waits for it this way; a consumer that stays is still refused, {@link #WAIT} later.
 */
public final class SlotRelease {
    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(SlotRelease.class);

    private SlotRelease() {}

    /** Runs {@code attempt} until it does not find {@code slot} in use, for up to {@link #WAIT}; then lets the refusal through. */
    public static <T> T awaiting(String slot, Supplier<T> attempt) {
        long giveUpAt = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return attempt.get();
            } catch (SlotInUseException inUse) {
                if (System.nanoTime() > giveUpAt) {
                    throw inUse;
                }
                log.info("replication slot {} is still in use (a consumer going away, such as this service's previous process?); "
                        + "trying again for up to {} s", slot, WAIT.toSeconds());
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw inUse;
                }
            }
        }
    }
}
