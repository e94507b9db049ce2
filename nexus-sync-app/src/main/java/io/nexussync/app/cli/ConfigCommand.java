package io.nexussync.app.cli;

import io.nexussync.app.config.ConfigException;
import io.nexussync.app.config.ConfigKey;
import io.nexussync.app.config.ConfigLoader;
import io.nexussync.app.config.EffectiveSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nexus-sync config}: every setting's effective value, where it came from, its environment variable and meaning,
 * read as {@code run} reads them (the same {@link ConfigLoader}); {@code --check} validates as {@code run} does, connecting
 * to nothing.
 */
@Command(name = "config", description = {
        "Show the effective value of every setting, where it came from (default, the config file, the environment, a *_FILE "
                + "secret), its environment variable and meaning; secrets redacted. Environment variables override the file.",
        "--check: validate the settings as run would, without connecting; exit 0 when they are fine, 2 with one line per problem."})
final class ConfigCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Option(names = "--check", description = "validate as run would (without connecting): exit 0, or 2 with one line per problem")
    boolean check;

    ConfigCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return check ? check() : explain();
    }

    private int check() {
        try {
            config.load(context);
        } catch (ConfigException e) {
            e.problems().forEach(problem -> context.err().println("nexus-sync: " + problem));
            return NexusSyncCommand.CONFIG_ERROR;
        }
        context.out().println("configuration OK (" + (config.file == null ? "environment only" : config.file + " and the environment")
                + "); nothing was connected to");
        return 0;
    }

    private int explain() {
        EffectiveSettings settings = ConfigLoader.resolve(config.file, context.environment());
        context.out().println("config file: " + (config.file == null ? "none (--config FILE)" : config.file)
                + "; environment variables override it");
        for (ConfigKey key : ConfigKey.values()) {
            String value = settings.value(key);
            String shown = value == null ? "(not set: required)" : "'" + key.shown(value) + "'";
            String variable = key.fileVariant() == null ? key.environment() : key.environment() + " or " + key.fileVariant().environment();
            String fallback = key.defaultValue() == null ? "required" : "default '" + key.defaultValue() + "'";
            context.out().printf("%n%s = %s  (from %s)%n    %s; %s%n    %s%n", key.key(), shown, settings.source(key), variable, fallback,
                    key.description());
        }
        if (!settings.problems().isEmpty()) {
            settings.problems().forEach(problem -> context.err().println("nexus-sync: " + problem));
            return NexusSyncCommand.CONFIG_ERROR;
        }
        return 0;
    }
}
