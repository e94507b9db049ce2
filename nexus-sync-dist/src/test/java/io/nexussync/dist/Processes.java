package io.nexussync.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end with exactly the environment given (nothing inherited), and keeps what it printed. */
final class Processes {
    record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private Processes() {}

    static Result run(List<String> command, Path workingDirectory, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Path stdout = java.nio.file.Files.createTempFile("nexus-sync-out", ".txt");
        Path stderr = java.nio.file.Files.createTempFile("nexus-sync-err", ".txt");
        try {
            Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 2 minutes");
            }
            return new Result(process.exitValue(), java.nio.file.Files.readString(stdout, StandardCharsets.UTF_8),
                    java.nio.file.Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            java.nio.file.Files.deleteIfExists(stdout);
            java.nio.file.Files.deleteIfExists(stderr);
        }
    }

    /** Unpacks a tar file (gzip or not: GNU tar tells by itself) with its file modes into a folder. */
    static void untar(Path tarball, Path into) throws IOException, InterruptedException {
        java.nio.file.Files.createDirectories(into);
        Result result = run(List.of("tar", "-xf", tarball.toString(), "-C", into.toString()), into,
                Map.of("PATH", "/usr/bin:/bin"));
        if (result.exitCode() != 0) {
            throw new AssertionError("unpacking " + tarball + ": " + result.describe());
        }
    }
}
