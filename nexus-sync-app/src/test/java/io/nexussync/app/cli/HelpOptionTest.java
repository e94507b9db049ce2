package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every command, nested ones too, answers --help with its usage and exit 0; the tree is walked from the usage itself. */
class HelpOptionTest {

    @Test
    void shouldPrintUsageForHelpOnEveryCommandOfTheTree() {
        List<List<String>> visited = new ArrayList<>();
        walk(List.of(), visited);

        // the top command and at least every first-level command and the nested ones of mapping, dlq, conflicts, critical, verify
        assertThat(visited).contains(List.of(), List.of("run"), List.of("config"), List.of("mapping", "check"), List.of("dlq", "retry"),
                List.of("conflicts", "resolve"), List.of("critical", "status"), List.of("verify", "findings"));
        assertThat(visited.size()).isGreaterThan(25);
    }

    private static void walk(List<String> path, List<List<String>> visited) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = NexusSyncCommand.execute(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String usage = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit of %s (stderr: %s)", args, err).isZero();
        assertThat(usage).as("usage of %s", args).startsWith("Usage: " + String.join(" ", prepend("nexus-sync", path)))
                .contains("-h, --help");
        visited.add(path);
        for (String command : subcommands(usage)) {
            List<String> next = new ArrayList<>(path);
            next.add(command);
            walk(next, visited);
        }
    }

    /** The names under "Commands:" in picocli's usage: each on a line of its own, indented by two spaces. */
    private static List<String> subcommands(String usage) {
        List<String> names = new ArrayList<>();
        boolean inCommands = false;
        for (String line : usage.lines().toList()) {
            if (line.equals("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.matches("  [a-z][a-z0-9-]*(,.*)?( .*)?")) {
                names.add(line.trim().split("[ ,]")[0]);
            } else if (inCommands && !line.startsWith("   ") && !line.isBlank()) {
                inCommands = false;
            }
        }
        return names;
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
