package io.nexussync.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Neo4j 5 engine serving Bolt on loopback without authentication, in a child JVM ({@link Neo4jEngineProcess})
 * that this object starts and owns. The engine runs apart because it carries Jetty 12.0 and the admin API Jetty 12.1:
 * the two never meet on one class path. It can be stopped and started again on the same port and store, which is how
 * tests take Neo4j away; the child ends with {@link #close()}, or by itself when this JVM goes.
 *
 * <p>The engine runs with nexus-sync's Neo4j plugin (the reverse sync's change feed), which sits beside the engine's jars
 * and is found, as in a standalone server's {@code plugins/} folder, through its {@code META-INF/services} entry.
 *
 * <p>The child's class path is this module's code and the engine's jars, found in this order: the system property
 * {@value #CLASSPATH_PROPERTY}; {@code neo4j-engine.classpath} beside this module's classes or jar (a build, where the
 * module lists them); the folder {@code neo4j-engine/} beside this module's jar (the distribution's demo folder).
 */
public final class EmbeddedNeo4jServer implements AutoCloseable {
    public static final String CLASSPATH_PROPERTY = "nexus.sync.neo4j.classpath";
    /** The child JVM's options, space-separated (default {@value #DEFAULT_JAVA_OPTIONS}). */
    public static final String JAVA_OPTIONS_PROPERTY = "nexus.sync.neo4j.java-options";
    private static final String DEFAULT_JAVA_OPTIONS = "-Xmx2g";
    private static final String ENGINE_CLASSPATH_FILE = "neo4j-engine.classpath";
    private static final String ENGINE_FOLDER = "neo4j-engine";

    private final int boltPort;
    private final boolean boltTls;
    private final Process process;
    private final BufferedReader answers;
    private final PrintStream commands;
    private final Path log;
    private boolean running;

    private EmbeddedNeo4jServer(int boltPort, boolean boltTls, Process process, Path log) {
        this.boltPort = boltPort;
        this.boltTls = boltTls;
        this.process = process;
        this.log = log;
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    public static EmbeddedNeo4jServer start(Path home, int boltPort) {
        return start(home, boltPort, true, null);
    }

    /**
     * A server that speaks Bolt over TLS only, with the key and certificate in {@code tlsDirectory}: {@code private.key}
     * (PKCS#8 PEM, unencrypted) and {@code public.crt} (PEM).
     */
    public static EmbeddedNeo4jServer startWithBoltTls(Path home, int boltPort, Path tlsDirectory) {
        return start(home, boltPort, true, tlsDirectory);
    }

    /**
     * A server as a user runs it who cannot install plugins: the engine without nexus-sync's (for the polling fallback's
     * tests and the plugin's cost in the benchmark).
     */
    public static EmbeddedNeo4jServer startWithoutPlugin(Path home, int boltPort) {
        return start(home, boltPort, false, null);
    }

    private static EmbeddedNeo4jServer start(Path home, int boltPort, boolean withPlugin, Path tlsDirectory) {
        int port = boltPort == 0 ? FreePort.pick() : boltPort;
        try {
            Files.createDirectories(home);
            Path log = home.resolve("neo4j-engine-process.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(List.of(System.getProperty(JAVA_OPTIONS_PROPERTY, DEFAULT_JAVA_OPTIONS).strip().split("\\s+")));
            String classpath = withPlugin ? engineClasspath() : withoutPlugin(engineClasspath());
            command.addAll(List.of("-cp", classpath, Neo4jEngineProcess.class.getName(), home.toAbsolutePath().toString(),
                    Integer.toString(port)));
            if (tlsDirectory != null) {
                command.add(tlsDirectory.toAbsolutePath().toString());
            }
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            EmbeddedNeo4jServer server = new EmbeddedNeo4jServer(port, tlsDirectory != null, process, log);
            server.await("start");
            server.running = true;
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Neo4j did not start: " + e.getMessage(), e);
        }
    }

    public synchronized void startAgain() {
        if (!running) {
            command("start");
            running = true;
        }
    }

    public synchronized void stop() {
        if (running) {
            command("stop");
            running = false;
        }
    }

    /**
     * The URI a client of the tests connects with; for a server with Bolt over TLS an encrypted one that trusts its
     * certificate whatever signed it ({@code +ssc}), for the test's own reads and resets.
     */
    public String boltUri() {
        return (boltTls ? "bolt+ssc://localhost:" : "bolt://localhost:") + boltPort;
    }

    public int boltPort() {
        return boltPort;
    }

    /** Stops the engine and ends the child JVM (killed if it has not ended a minute later). */
    @Override
    public synchronized void close() {
        if (!process.isAlive()) {
            return;
        }
        commands.println("exit");
        try {
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        running = false;
    }

    private void command(String command) {
        commands.println(command);
        await(command);
    }

    private void await(String command) {
        String answer;
        try {
            answer = answers.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Neo4j did not answer \"" + command + "\"; see " + log, e);
        }
        if (answer == null) {
            throw new IllegalStateException("embedded Neo4j's JVM ended on \"" + command + "\"; see " + log);
        }
        if (!answer.equals("ok")) {
            throw new IllegalStateException("embedded Neo4j failed to " + command + ": " + answer.replaceFirst("^error ", "") + " (see " + log + ")");
        }
    }

    private static final String PLUGIN_ARTIFACT = "nexus-sync-neo4j-plugin";

    /** The class path without the plugin's jar (or, in a build, its classes); a folder of jars is listed first. */
    private static String withoutPlugin(String classpath) throws IOException {
        String separator = System.getProperty("path.separator");
        List<String> kept = new ArrayList<>();
        for (String entry : classpath.split(java.util.regex.Pattern.quote(separator))) {
            if (entry.endsWith(java.io.File.separator + "*")) {
                Path folder = Path.of(entry.substring(0, entry.length() - 2));
                try (var jars = Files.list(folder)) {
                    jars.filter(jar -> jar.getFileName().toString().endsWith(".jar") && !jar.getFileName().toString().startsWith(PLUGIN_ARTIFACT))
                            .forEach(jar -> kept.add(jar.toString()));
                }
            } else if (!entry.contains(PLUGIN_ARTIFACT)) {
                kept.add(entry);
            }
        }
        return String.join(separator, kept);
    }

    private static String engineClasspath() throws IOException {
        Path code;
        try {
            code = Path.of(EmbeddedNeo4jServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + EmbeddedNeo4jServer.class.getName() + " was loaded from", e);
        }
        String separator = System.getProperty("path.separator");
        String configured = System.getProperty(CLASSPATH_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return code + separator + configured;
        }
        Path beside = code.getParent();
        Path listed = beside.resolve(ENGINE_CLASSPATH_FILE);
        if (Files.isRegularFile(listed)) {
            return code + separator + Files.readString(listed).strip();
        }
        Path folder = beside.resolve(ENGINE_FOLDER);
        if (Files.isDirectory(folder)) {
            return code + separator + folder + java.io.File.separator + "*";
        }
        throw new IllegalStateException("the Neo4j engine's jars are not found: neither " + listed + " nor the folder " + folder
                + " exists, and -D" + CLASSPATH_PROPERTY + " is not set (build with mvn -pl nexus-sync-embedded package)");
    }
}
