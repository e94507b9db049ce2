package io.nexussync.app.config;

import java.time.Duration;

/**
 * Where the admin HTTP API listens and what it asks of a caller that changes something.
 *
 * @param bind  the address it listens on ({@code 127.0.0.1} unless configured)
 * @param port  its port; 0 takes a free one, -1 turns the API off
 * @param token the bearer token every mutating call must send, or null: then those calls are refused
 * @param readyLag how far behind the stream the graph may be for {@code /health/ready} to answer 200 ({@code admin.ready-lag})
 */
public record AdminSettings(String bind, int port, String token, Duration readyLag) {
    public static final String LOOPBACK = "127.0.0.1";
    public static final Duration DEFAULT_READY_LAG = Duration.ofSeconds(10);

    public AdminSettings(String bind, int port, String token) {
        this(bind, port, token, DEFAULT_READY_LAG);
    }

    /** On this machine only, on {@code port}, with {@code token} (or none). */
    public static AdminSettings loopback(int port, String token) {
        return new AdminSettings(LOOPBACK, port, token);
    }

    public boolean enabled() {
        return port >= 0;
    }

    public boolean hasToken() {
        return token != null && !token.isEmpty();
    }

    @Override
    public String toString() {
        return "AdminSettings[bind=" + bind + ", port=" + port + ", token=" + (hasToken() ? "<redacted>" : "(none)") + ", readyLag=" + readyLag + "]";
    }
}
