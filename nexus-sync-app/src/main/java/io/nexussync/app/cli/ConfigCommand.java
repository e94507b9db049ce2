package io.nexussync.app.cli;

import io.nexussync.app.config.ConfigKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "config", description = "Explain every setting: key, environment variable, default, meaning.")
final class ConfigCommand implements Callable<Integer> {
    private final CliContext context;

    ConfigCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        for (ConfigKey key : ConfigKey.values()) {
            String current = context.environment().get(key.environment());
            String shown = current == null ? "(not set)" : key.shown(current);
            context.out().printf("%-22s %-28s default %-18s now %s%n    %s%n", key.key(), key.environment(),
                    key.defaultValue() == null ? "(required)" : "'" + key.defaultValue() + "'", shown, key.description());
        }
        return 0;
    }
}
