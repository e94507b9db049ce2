package io.nexussync.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionOptionTest {

    @Test
    void shouldPrintTheVersionAndCommitMavenWroteIntoThisBuild() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = NexusSyncCommand.execute(new String[] {"--version"}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        assertThat(exit).isZero();
        // the build runs in a git checkout, so the commit is filled; a placeholder left unfiltered would show as "${"
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).matches("nexus-sync \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{7,}(-dirty)?\\)");
    }
}
