package io.nexussync.app.cli;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo}: its options here, its body ({@link Demo}) in nexus-sync-demo, on the class path only when the demo folder is. */
@Command(name = "demo", description = "Start an embedded PostgreSQL 17 and an embedded Neo4j 5 (Bolt on localhost), load sample data, "
        + "run a live workload and sync it, printing what was synced. Ctrl-C stops everything.")
final class DemoCommand implements Callable<Integer> {
    static final String NOT_ON_THE_CLASS_PATH = "the demo is not on the class path: its embedded PostgreSQL and Neo4j are in lib/demo/, "
            + "beside lib/, and only the demo loads them. Run ./nexus-sync demo from the repository, "
            + "or java -cp 'nexus-sync.jar:lib/demo/*' io.nexussync.app.Main demo from the folder of nexus-sync.jar";

    private final CliContext context;

    @Option(names = "--duration", description = "stop after this many seconds (default: run until Ctrl-C)")
    int durationSeconds;

    @Option(names = "--rate", description = "application transactions per second (default: ${DEFAULT-VALUE})", defaultValue = "20")
    int rate;

    @Option(names = "--bolt-port", description = "Bolt port for the embedded Neo4j (default: 7687, or a free one)", defaultValue = "7687")
    int boltPort;

    @Option(names = "--pg-port", description = "port for the embedded PostgreSQL (default: 54329, or a free one)", defaultValue = "54329")
    int pgPort;

    DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Optional<Demo> demo = ServiceLoader.load(Demo.class).findFirst();
        if (demo.isEmpty()) {
            context.err().println("nexus-sync: " + NOT_ON_THE_CLASS_PATH);
            return NexusSyncCommand.FAILURE;
        }
        return demo.get().run(new Demo.Options(durationSeconds, rate, boltPort, pgPort), context.environment(), context.out());
    }
}
