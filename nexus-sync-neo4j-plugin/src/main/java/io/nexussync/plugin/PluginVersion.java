package io.nexussync.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The plugin's version, which it writes on the service's probe node; set by the build. */
final class PluginVersion {
    static final String VALUE = read();

    private PluginVersion() {}

    private static String read() {
        try (InputStream in = PluginVersion.class.getResourceAsStream("plugin.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
