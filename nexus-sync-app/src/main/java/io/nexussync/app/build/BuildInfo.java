package io.nexussync.app.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and commit this build came from, written into {@code build-info.properties} by Maven: what
 * {@code --version} prints and the {@code nexus_sync_build_info} metric carries, so an operator can tell which build a
 * host runs. A value Maven could not fill (a source tree without {@code .git}) reads as {@code unknown}.
 */
public record BuildInfo(String version, String commit) {
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** One line for {@code --version}: {@code nexus-sync 0.1.0-SNAPSHOT (commit e4f4441)}. */
    public String describe() {
        return "nexus-sync " + version + " (commit " + commit + ")";
    }

    private static BuildInfo load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading build-info.properties from the nexus-sync-app jar", e);
        }
        String commit = filled(properties.getProperty("commit"));
        if (!"unknown".equals(commit) && "true".equals(properties.getProperty("dirty"))) {
            commit = commit + "-dirty";
        }
        return new BuildInfo(filled(properties.getProperty("version")), commit);
    }

    private static String filled(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }
}
