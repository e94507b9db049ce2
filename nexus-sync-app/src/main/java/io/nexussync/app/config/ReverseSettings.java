package io.nexussync.app.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Reverse sync (graph edits to PostgreSQL): how the service learns of graph edits and how often it looks.
 *
 * @param mode           {@link Mode#AUTO}: the plugin's outbox when the probe finds the plugin, else polling
 * @param pollInterval   the polling fallback's scan interval
 * @param outboxInterval how long a round that found the outbox empty waits before reading it again
 * @param batchSize      outbox entries (or polled nodes) per PostgreSQL transaction
 */
public record ReverseSettings(Mode mode, Duration pollInterval, Duration outboxInterval, int batchSize) {

    public static final ReverseSettings DEFAULTS = new ReverseSettings(Mode.AUTO, Duration.ofSeconds(1), Duration.ofMillis(50), 100);

    /** How graph edits reach the service. */
    public enum Mode {
        /** the plugin if the probe finds it in the graph's server, else polling */
        AUTO,
        /** the plugin's outbox; without the plugin the service refuses to run */
        PLUGIN,
        /** the polling fallback (property edits only), even where the plugin is installed */
        POLL,
        /** nothing flows back; the plugin, if installed, is told to do nothing */
        OFF;

        public String external() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return null for a word that is no mode */
        public static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.external().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return mode;
                }
            }
            return null;
        }
    }
}
