package io.nexussync.app.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Every setting's value as the service would take it (file, then environment, then secret files; defaults for the rest) and
 * where it came from, before validation: what {@code run} starts from and {@code nexus-sync config} prints. A secret is held
 * here in clear: print only {@link ConfigKey#shown}.
 */
public final class EffectiveSettings {
    /** The source of a value nobody gave. */
    public static final String DEFAULT = "default";
    /** The source of a value from an environment variable under its own name. */
    public static final String ENVIRONMENT = "environment";

    private final Path file;
    private final Map<ConfigKey, String> values;
    private final Map<ConfigKey, String> sources;
    private final Map<ConfigKey, String> givenAs;
    private final List<String> problems;

    EffectiveSettings(Path file, Map<ConfigKey, String> values, Map<ConfigKey, String> sources, Map<ConfigKey, String> givenAs,
            List<String> problems) {
        this.file = file;
        this.values = values;
        this.sources = sources;
        this.givenAs = givenAs;
        this.problems = List.copyOf(problems);
    }

    /** The config file given with --config, or null. */
    public Path file() {
        return file;
    }

    /** The value (null only for a required setting nobody gave). */
    public String value(ConfigKey key) {
        return values.get(key);
    }

    /** {@value #DEFAULT}, {@code file PATH}, {@value #ENVIRONMENT}, or where a secret file or a former name gave it. */
    public String source(ConfigKey key) {
        return sources.getOrDefault(key, DEFAULT);
    }

    /** What stopped a value from being read: the config file, a secret file, a secret given twice. Validation comes later. */
    public List<String> problems() {
        return problems;
    }

    Map<ConfigKey, String> values() {
        return Collections.unmodifiableMap(values);
    }

    /** The name a value was given under where that is a former name: what a problem with it must say. */
    Map<ConfigKey, String> givenAs() {
        return givenAs;
    }

    Map<ConfigKey, String> sources() {
        return sources;
    }
}
