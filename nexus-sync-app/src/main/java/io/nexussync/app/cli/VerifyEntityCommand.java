package io.nexussync.app.cli;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.wiring.Neo4jConnector;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyReport;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.neo4j.driver.Driver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nexus-sync verify-entity TABLE KEY}: the seed's {@code verify_neo4j_entity}, one row's entity checked by key. */
@Command(name = "verify-entity", description = "Check one entity against its row (the seed's verify_neo4j_entity). KEY is the row's key "
        + "(a composite key as its JSON array); a join table's as (from)->(to). Exit 0 when it agrees, 3 when not.")
final class VerifyEntityCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;
    @Parameters(index = "0", paramLabel = "TABLE", description = "the mapped table, as schema.table or a name in public")
    String table;
    @Parameters(index = "1", paramLabel = "KEY")
    String key;
    @Option(names = "--repair", description = "queue a repair by rule if it differs; the running service carries it out, and this command waits")
    boolean repair;
    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;
    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "120s", converter = VerifyCommand.DurationConverter.class,
            description = "with --repair: how long to wait for the service to carry the repair out (default 120s)")
    Duration waitFor;

    VerifyEntityCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        SyncConfig cfg = config.load(context);
        try (Driver driver = Neo4jConnector.connect(cfg)) {
            VerifyCommand.Session session = new VerifyCommand.Session(cfg, driver);
            VerifyReport report = session.verifier.checkEntity(
                    new Verifier.Request(TableId.parse(table.trim()), repair, false, VerifyCommand.FINDER), EntityKeys.parseDisplayed(key));
            return VerifyCommand.finish(context, session.log, report, repair, waitFor, json);
        }
    }
}
