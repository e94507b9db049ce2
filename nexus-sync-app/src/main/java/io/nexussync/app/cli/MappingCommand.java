package io.nexussync.app.cli;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingDocument;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.MappingProblem;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.catalog.Catalog;
import io.nexussync.postgres.catalog.CatalogReader;
import io.nexussync.postgres.catalog.MappingCheck;
import io.nexussync.postgres.catalog.MappingInit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nexus-sync mapping check FILE} and {@code nexus-sync mapping init}: user mappings against the live catalog. */
@Command(name = "mapping", description = "Check a mapping file against the database, or write a starting one from it.")
final class MappingCommand implements Runnable {
    private final CliContext context;

    private MappingCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new MappingCommand(context))
                .addSubcommand(new Check(context))
                .addSubcommand(new Init(context));
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(context.out());
    }

    static Catalog readCatalog(PgSettings settings, List<String> schemas) {
        return CatalogReader.read(settings, schemas);
    }

    @Command(name = "check", description = "Validate a mapping file against the live catalog; lists every problem with its line. Exit 2 when there is any.")
    static final class Check implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "FILE", description = "the mapping YAML file")
        Path file;

        Check(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            MappingDocument document = MappingLoader.read(file);
            if (document.mapping() == null) {
                print(document.problems(), "");
                context.err().println(file + ": " + document.problems().size() + " problem(s)");
                return NexusSyncCommand.CONFIG_ERROR;
            }
            Catalog catalog = readCatalog(config.loadPostgres(context).postgres(), List.of());
            MappingCheck.Report report = MappingCheck.check(document, catalog);
            print(report.problems(), "");
            report.notes().forEach(n -> context.out().println(location(n) + "note: " + n.message()));
            if (!report.ok()) {
                context.err().println(file + ": " + report.problems().size() + " problem(s)");
                return NexusSyncCommand.CONFIG_ERROR;
            }
            Mapping mapping = document.mapping();
            context.out().println(file + ": ok, " + mapping.nodes().size() + " node table(s), " + mapping.relationships().size() + " relationship table(s)");
            return 0;
        }

        private void print(List<MappingProblem> problems, String prefix) {
            problems.forEach(p -> context.err().println(location(p) + prefix + p.message()));
        }

        private String location(MappingProblem p) {
            return file + (p.line() > 0 ? ":" + p.line() : "") + ": ";
        }
    }

    @Command(name = "init", description = "Write a starting mapping from the catalog: tables to labels, foreign keys to relationships, join tables detected.")
    static final class Init implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        ConfigOption config;

        @Option(names = "--schema", paramLabel = "SCHEMA", description = "schema to map (repeatable; default public)")
        List<String> schemas = List.of("public");

        @Option(names = "--name", paramLabel = "NAME", description = "the mapping's name (default: mapping)")
        String name = "mapping";

        @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output")
        Path out;

        Init(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--name is '" + name + "': use letters, digits, _ and -");
            }
            Catalog catalog = readCatalog(config.loadPostgres(context).postgres(), schemas);
            if (catalog.tables().isEmpty()) {
                context.err().println("no tables in schema(s) " + schemas + ": nothing to map");
                return NexusSyncCommand.CONFIG_ERROR;
            }
            String yaml = MappingInit.generate(catalog, name);
            if (out == null) {
                context.out().print(yaml);
                context.out().flush();
            } else {
                try {
                    Files.writeString(out, yaml, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
                }
                context.out().println("wrote " + out + ": edit it, then run `nexus-sync mapping check " + out + "`");
            }
            return 0;
        }
    }
}
