package io.nexussync.it.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The real executable ({@code nexus-sync-app/target/nexus-sync.jar}, as a user runs it) in a child
 * JVM, so a test can kill it with SIGKILL: no shutdown hook, no drain, nothing flushed.
 */
public final class ChildService {
    private final Process process;
    private final Path log;

    private ChildService(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildService start(Map<String, String> environment, Path log) throws IOException {
        return start(environment, log, "run");
    }

    /** The executable running {@code nexus-sync ARGS} (a role: {@code capture --to kafka}, {@code apply --from kafka}) until killed. */
    public static ChildService start(Map<String, String> environment, Path log, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> line = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-jar", jar().toString()));
        line.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(line)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return new ChildService(builder.start(), log);
    }

    /** What a command of the real executable printed, and its exit code. */
    public record Command(int exit, String out, String err) {}

    /**
     * Runs {@code nexus-sync ARGS} as a user does, with the real executable in a JVM of its own (a command beside the
     * running service), and waits for it (at most {@code atMost}, then it is killed and the test fails).
     */
    public static Command command(Map<String, String> environment, java.time.Duration atMost, String... args) throws IOException, InterruptedException {
        List<String> line = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                jar().toString()));
        line.addAll(List.of(args));
        Path out = Files.createTempFile("nexus-sync-command", ".out");
        Path err = Files.createTempFile("nexus-sync-command", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(line).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("nexus-sync " + String.join(" ", args) + " did not end within " + atMost + "; stderr:\n" + Files.readString(err));
            }
            return new Command(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("nexus.sync.jar", "../nexus-sync-dist/target/nexus-sync.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -pl nexus-sync-dist -am package");
        }
        return jar;
    }

    /** SIGKILL, as {@code kill -9}: the JVM gets no chance to do anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM: the service drains what it has read (for at most 5 s), commits, and exits. Bounded: the shutdown
     * hook waits 15 s for it; a service still running a minute later fails the test (and is killed).
     */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the service did not exit within 60 s of SIGTERM; see " + log);
        }
        return process.exitValue();
    }

    /** Waits for the service to exit by itself (a crash point halted it); false if it still runs after {@code atMost}. */
    public boolean waitFor(java.time.Duration atMost) throws InterruptedException {
        return process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    public static Path logFile(String name) throws IOException {
        File dir = new File("target/child-logs");
        dir.mkdirs();
        Path file = dir.toPath().resolve(name + ".log");
        Files.deleteIfExists(file);
        return file;
    }
}
