package io.nexussync.app.config;

import java.time.Duration;

/**
 * Critical writes (transactions an application prepares as {@code nexus_sync:<id>}, finished by nexus-sync once the graph
 * has decided them).
 *
 * @param timeout          an undecided one older than this is rolled back by recovery
 * @param recoveryInterval how often recovery runs
 * @param alertAge         one still prepared after this long is a health reason
 */
public record CriticalSettings(Duration timeout, Duration recoveryInterval, Duration alertAge) {
    public static final CriticalSettings DEFAULTS = new CriticalSettings(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(1));
}
