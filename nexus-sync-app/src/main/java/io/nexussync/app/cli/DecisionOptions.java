package io.nexussync.app.cli;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * A person's decision between the two sides ({@code verify resolve}, {@code conflicts resolve}): {@code --take
 * postgres|graph}, {@code --reason} and {@code --by}, checked and recorded the same way for both.
 */
final class DecisionOptions {
    @Option(names = "--take", required = true, paramLabel = "postgres|graph")
    String take;
    @Option(names = "--reason", required = true, description = "why (recorded)")
    String reason;
    @Option(names = "--by", description = "who decides (recorded; default: the OS user)")
    String by;

    /** @return true for postgres, false for graph; each explained in the message a wrong value gets */
    boolean takesPostgres(CommandSpec spec, String postgresMeans, String graphMeans) {
        switch (take.trim().toLowerCase(Locale.ROOT)) {
            case "postgres":
                return true;
            case "graph":
                return false;
            default:
                throw new CommandLine.ParameterException(spec.commandLine(), "--take is '" + take + "': use postgres (" + postgresMeans
                        + ") or graph (" + graphMeans + ")");
        }
    }

    String reason(CommandSpec spec) {
        if (reason.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reason is empty: say why (it is recorded)");
        }
        return reason;
    }

    String actor(CliContext context) {
        return actor(context, by);
    }

    /** {@code --by}, else the OS user ({@code USER}) as the CLI records it. */
    static String actor(CliContext context, String by) {
        if (by != null && !by.isBlank()) {
            return by;
        }
        String user = context.environment().get("USER");
        return "cli " + (user == null ? "unknown user" : user);
    }
}
