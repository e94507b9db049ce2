package io.nexussync.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nexus-sync history}: the history of temporal relationships kept in the graph. */
@Command(name = "history", description = "The history of temporal relationships kept in the graph (each thread_content row's past INCLUDES): compact.")
final class HistoryCommand implements Runnable {
    private final CliContext context;

    private HistoryCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new HistoryCommand(context)).addSubcommand(new HistoryCompactCommand(context));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(context.out());
    }
}
