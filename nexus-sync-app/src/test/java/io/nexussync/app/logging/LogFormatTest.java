package io.nexussync.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service's own logback.xml, run in a child JVM as the launcher runs it: the environment alone picks the format and
 * the level. (In this JVM logback is configured once, before any test could set an environment variable.)
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldWriteOneJsonObjectWithATimestampPerLineWhenAskedForJson() throws Exception {
        List<String> lines = logLines(Map.of("NEXUS_SYNC_LOG_FORMAT", "json"));

        assertThat(lines).hasSize(3);
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.path("timestamp").isNumber()).as(line).isTrue();
            assertThat(event.path("timestamp").asLong()).isGreaterThan(1_600_000_000_000L);
            events.add(event);
        }
        assertThat(events.get(0).path("formattedMessage").asText()).isEqualTo("streaming from slot demo_slot at 0/16B3748");
        assertThat(events.get(1).path("formattedMessage").asText()).isEqualTo("a message with \"quotes\", a backslash \\ and\na second line");
        assertThat(events.get(2).path("level").asText()).isEqualTo("ERROR");
        assertThat(events.get(2).path("threadName").asText()).isEqualTo("apply-worker-1");
        assertThat(events.get(2).path("throwable").toString()).contains("graph unreachable");
    }

    @Test
    void shouldStartEveryPlainLineWithTheDateTimeAndOffsetAndNameTheThread() throws Exception {
        List<String> lines = logLines(Map.of());

        // the exception's stack trace follows its line; every event line starts with the full date, time and zone offset
        List<String> events = lines.stream().filter(line -> !line.startsWith("\t") && !line.startsWith("java.")
                && !line.equals("a second line")).toList();
        assertThat(events).hasSize(3).allSatisfy(line ->
                assertThat(line).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) +\\w+ +\\[[^]]+\\] .*"));
        assertThat(events.get(2)).contains("ERROR").contains("[apply-worker-1]").contains("apply failed");
    }

    @Test
    void shouldTakeTheLevelFromTheEnvironment() throws Exception {
        assertThat(logLines(Map.of("NEXUS_SYNC_LOG_LEVEL", "DEBUG", "NEXUS_SYNC_LOG_FORMAT", "json")))
                .anyMatch(line -> line.contains("shown only at DEBUG"));
        assertThat(logLines(Map.of("NEXUS_SYNC_LOG_LEVEL", "ERROR", "NEXUS_SYNC_LOG_FORMAT", "json"))).hasSize(1);
    }

    /** What {@link LogLines} wrote to stderr under the service's logback.xml and this environment. */
    private static List<String> logLines(Map<String, String> environment) throws IOException, InterruptedException, URISyntaxException {
        Path config = Path.of(LogFormatTest.class.getResource("/logback.xml").toURI());
        assertThat(config.toString()).as("the service's own logback.xml, not a test one").contains("classes").doesNotContain("test-classes");
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=" + config, "-cp", System.getProperty("java.class.path"), LogLines.class.getName());
        child.environment().keySet().removeIf(name -> name.startsWith("NEXUS_SYNC_"));
        child.environment().putAll(environment);
        Path out = Files.createTempFile("log-lines", ".out");
        child.redirectOutput(out.toFile());
        Process process = child.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        // logback prints its status report on standard output after any warning in its configuration: there, it would mix
        // into what the commands print for scripts (status --json, config)
        assertThat(Files.readString(out)).as("standard output").isEmpty();
        Files.delete(out);
        return err.lines().toList();
    }
}
