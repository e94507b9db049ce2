package io.nexussync.app.config;

import java.util.List;

/** A configuration that cannot start the service; every problem names the key and the fix. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("the configuration has " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, as {@code config --check} prints them. */
    public List<String> problems() {
        return problems;
    }
}
