package io.nexussync.app.cli;

import io.nexussync.app.build.BuildInfo;
import io.nexussync.app.config.ConfigException;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.MappingException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nexus-sync}: the top command. Every failure ends here as one message on stderr and a
 * non-zero exit: 2 for configuration (and wrong usage), 1 for everything else. {@code verify} and {@code verify-entity} exit
 * 3 when the two sides do not agree; {@code critical status} exits 0 committed, 3 rolled back, 4 pending, 5 unknown. A
 * stack trace only with NEXUS_SYNC_DEBUG=1.
 */
// scope INHERIT: every subcommand, nested ones too, gets --help (and --version) without repeating it on each.
@Command(name = "nexus-sync", mixinStandardHelpOptions = true, versionProvider = NexusSyncCommand.Version.class, scope = CommandLine.ScopeType.INHERIT,
        description = "Keeps a Neo4j graph in step with PostgreSQL through logical replication, exactly once.")
public final class NexusSyncCommand implements Runnable {
    public static final int CONFIG_ERROR = 2;
    public static final int FAILURE = 1;

    private final CliContext context;

    private NexusSyncCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(context.out());
    }

    public static int execute(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        CliContext context = new CliContext(environment, out, err);
        CommandLine cli = new CommandLine(new NexusSyncCommand(context))
                .addSubcommand(new RunCommand(context))
                .addSubcommand(new SetupCommand(context))
                .addSubcommand(new CaptureCommand(context))
                .addSubcommand(new ApplyCommand(context))
                .addSubcommand(new StatusCommand(context))
                .addSubcommand(new RefreshCrossReferencesCommand(context))
                .addSubcommand(new BackfillCommand(context))
                .addSubcommand(new ResyncCommand(context))
                .addSubcommand(new TeardownCommand(context))
                .addSubcommand(new DemoCommand(context))
                .addSubcommand(new ConfigCommand(context))
                .addSubcommand(MappingCommand.create(context))
                .addSubcommand(DlqCommand.create(context))
                .addSubcommand(ConflictsCommand.create(context))
                .addSubcommand(CriticalCommand.create(context))
                .addSubcommand(VerifyCommand.create(context))
                .addSubcommand(new VerifyEntityCommand(context))
                .addSubcommand(new LogCommand(context))
                .addSubcommand(HistoryCommand.create(context));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("nexus-sync: " + describe(e));
            if ("1".equals(environment.get("NEXUS_SYNC_DEBUG"))) {
                e.printStackTrace(err);
            }
            return e instanceof ConfigException || e instanceof MappingException ? CONFIG_ERROR : FAILURE;
        });
        return cli.execute(args);
    }

    /** {@code --version}: the version and commit of this build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.current().describe()};
        }
    }

    private static String describe(Exception e) {
        if (e instanceof SyncException || e instanceof ConfigException || e instanceof MappingException || e instanceof UncheckedIOException) {
            return e.getMessage();
        }
        if (e instanceof InterruptedException) {
            return "interrupted";
        }
        return "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage() + " (set NEXUS_SYNC_DEBUG=1 for the stack trace)";
    }
}
