package io.nexussync.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.app.build.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image tarball Jib builds, read as a container runtime reads it: the layout's index, the manifest, the config
 * blob and the layers, each blob checked against its digest. As root, its layers are unpacked into a root file system
 * and the entrypoint is run there, in namespaces of its own with /proc mounted, as the image's user: the image runs.
 */
class ImageTarballIT {
    static final String VERSION = ReleaseTarballIT.VERSION;
    static final List<String> ENTRYPOINT =
            List.of("/opt/java/bin/java", "-cp", "/app/resources:/app/classes:/app/libs/*", "io.nexussync.app.Main");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    static Path layout;
    static JsonNode manifest;
    static JsonNode config;

    @BeforeAll
    static void unpack() throws Exception {
        assumeTrue(Boolean.getBoolean("release.image"),
                "the image is built and tested with the image profile: mvn verify -Pimage, as .ci/run does");
        Path image = ReleaseTarballIT.BUILD.resolve("nexus-sync-" + VERSION + "-image.tar");
        assertThat(image).as("the image tarball mvn package builds with Jib").isRegularFile();
        layout = folder.resolve("layout");
        Processes.untar(image, layout);
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests")).hasSize(1);
        JsonNode entry = index.path("manifests").get(0);
        assertThat(entry.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(entry.path("annotations").path("org.opencontainers.image.ref.name").asText()).isEqualTo("nexus-sync:" + VERSION);
        manifest = JSON.readTree(blob(entry.path("digest").asText()).toFile());
        config = JSON.readTree(blob(manifest.path("config").path("digest").asText()).toFile());
    }

    @Test
    void itIsAnOciLayoutWhoseBlobsMatchTheirDigests() throws Exception {
        assertThat(JSON.readTree(layout.resolve("oci-layout").toFile()).path("imageLayoutVersion").asText()).isEqualTo("1.0.0");
        assertThat(manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.image.config.v1+json");
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                assertThat(sha256(blob)).as("the digest of " + blob.getFileName()).isEqualTo(blob.getFileName().toString());
            }
        }
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
    }

    @Test
    void theEntrypointRunsTheServiceOnTheImagesOwnJavaAsAnUnprivilegedUser() {
        JsonNode container = config.path("config");
        assertThat(strings(container.path("Entrypoint"))).isEqualTo(ENTRYPOINT);
        assertThat(strings(container.path("Cmd"))).containsExactly("run");
        assertThat(container.path("User").asText()).isEqualTo("65532:65532");
        assertThat(strings(container.path("Env"))).contains("JDK_JAVA_OPTIONS=-Xmx1g", "JAVA_HOME=/opt/java")
                // the admin API stays on loopback in the image too: reaching it from outside is the operator's choice
                .noneMatch(variable -> variable.startsWith("NEXUS_SYNC_ADMIN_BIND="));
        assertThat(container.path("ExposedPorts").has("8089/tcp")).isTrue();
    }

    @Test
    void theLayersHoldTheProductionJarsAndTheJavaRuntime() throws Exception {
        Map<String, String> files = layerFiles();
        List<String> libs = files.keySet().stream().filter(path -> path.startsWith("app/libs/") && !path.endsWith("/")).map(path -> path.substring(9)).sorted().toList();
        List<String> production;
        try (Stream<Path> jars = Files.list(ReleaseTarballIT.BUILD.resolve("lib"))) {
            production = jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
        assertThat(libs).as("the image's class path is the release's lib/").isEqualTo(production);
        assertThat(files.get("opt/java/bin/java")).as("the runtime's java, executable").startsWith("-rwxr-xr-x");
        assertThat(files).containsKeys("opt/java/lib/server/libjvm.so", "opt/java/lib/modules", "lib64/ld-linux-x86-64.so.2");
    }

    @Test
    void asRootTheUnpackedImageRunsItsEntrypoint() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "running the image needs root (a chroot and namespaces); its layers and config were checked without");
        Path root = folder.resolve("rootfs");
        Files.createDirectories(root);
        for (JsonNode layer : manifest.path("layers")) {
            Processes.untar(blob(layer.path("digest").asText()), root);
        }
        Files.createDirectories(root.resolve("proc"));   // where a container runtime mounts /proc
        Map<String, String> environment = new LinkedHashMap<>();
        for (String variable : strings(config.path("config").path("Env"))) {
            environment.put(variable.substring(0, variable.indexOf('=')), variable.substring(variable.indexOf('=') + 1));
        }
        String[] user = config.path("config").path("User").asText().split(":");
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--pid", "--fork", "--mount-proc=/proc",
                "--root=" + root, "--wd=" + config.path("config").path("WorkingDir").asText(), "--setuid", user[0], "--setgid", user[1]));
        command.addAll(strings(config.path("config").path("Entrypoint")));
        command.add("--version");
        Processes.Result result = Processes.run(command, folder, environment);
        if (result.exitCode() != 0 && result.stderr().startsWith("unshare: ")) {
            // no right to make namespaces (a container without CAP_SYS_ADMIN): a plain chroot, without /proc, where the
            // loader finds the runtime's own libraries ($ORIGIN) through LD_ORIGIN_PATH instead of /proc/self/exe
            command = new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=" + user[0] + ":" + user[1], root.toString()));
            command.addAll(strings(config.path("config").path("Entrypoint")));
            command.add("--version");
            environment.put("LD_ORIGIN_PATH", "/opt/java/bin");
            result = Processes.run(command, folder, environment);
        }
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().strip()).isEqualTo(BuildInfo.current().describe());
    }

    private static Path blob(String digest) {
        assertThat(digest).startsWith("sha256:");
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    /** Every file in every layer, path to `tar -tv` mode string. */
    private static Map<String, String> layerFiles() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        for (JsonNode layer : manifest.path("layers")) {
            assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            Processes.Result listing = Processes.run(List.of("tar", "-tvzf", blob(layer.path("digest").asText()).toString()),
                    folder, Map.of("PATH", "/usr/bin:/bin"));
            assertThat(listing.exitCode()).as(listing.describe()).isZero();
            listing.stdout().lines().forEach(line -> {
                String[] fields = line.split("\\s+");
                files.put(fields[fields.length - 1], fields[0]);
            });
        }
        return files;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static String sha256(Path file) throws IOException, java.security.NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
