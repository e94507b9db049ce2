package io.nexussync.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.nexussync.app.config.ConfigKey;
import io.nexussync.app.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The release's config/nexus-sync.example.yml is {@link ConfigKey} written out: every setting, its default and its
 * description. A key added, renamed or redescribed in ConfigKey fails this test until the example says the same, so the
 * file an operator starts from cannot drift from what the service reads. On a failure the up-to-date text is written to
 * target/nexus-sync.example.yml, to copy over the checked-in one.
 */
class ConfigExampleTest {
    static final Path EXAMPLE = Path.of("src/main/dist/config/nexus-sync.example.yml");
    private static final int WIDTH = 110;
    /** Values for the settings that have no default (the service refuses to start without them). */
    private static final Map<ConfigKey, String> PLACEHOLDERS = Map.of(
            ConfigKey.PG_URL, "jdbc:postgresql://localhost:5432/app",
            ConfigKey.NEO4J_URI, "bolt://localhost:7687");

    @Test
    void theExampleListsEverySettingWithItsDefaultAndDescription() throws IOException {
        String expected = render();
        String actual = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
        if (!actual.equals(expected)) {
            Path fresh = Path.of("target/nexus-sync.example.yml");
            Files.createDirectories(fresh.getParent());
            Files.writeString(fresh, expected, StandardCharsets.UTF_8);
            List<String> missing = Arrays.stream(ConfigKey.values())
                    .filter(key -> key.environmentOnly() ? !actual.contains("# environment only: " + key.environment() + "=")
                            : !actual.contains("\n" + key.key() + ":") && !actual.contains("\n#" + key.key() + ":"))
                    .map(ConfigKey::key)
                    .toList();
            throw new AssertionError(EXAMPLE + " does not match ConfigKey"
                    + (missing.isEmpty() ? " (a default or description differs)" : "; settings missing from it: " + missing)
                    + ". The up-to-date text is in nexus-sync-dist/" + fresh + ": copy it over nexus-sync-dist/" + EXAMPLE);
        }
    }

    @Test
    void theExampleAsShippedLoadsAndEachLineUncommentedKeepsTheDefault() throws IOException {
        assertThatCode(() -> ConfigLoader.load(EXAMPLE, Map.of())).doesNotThrowAnyException();
        // every setting switched on at once, as an operator uncommenting lines would: still the defaults
        Path uncommented = Path.of("target/nexus-sync.example.uncommented.yml");
        Files.createDirectories(uncommented.getParent());
        Files.writeString(uncommented, Files.readString(EXAMPLE).replaceAll("(?m)^#(?=[a-z])", ""));
        assertThat(ConfigLoader.load(uncommented, Map.of()))
                .usingRecursiveComparison()
                .isEqualTo(ConfigLoader.load(EXAMPLE, Map.of()));
    }

    /** The example as ConfigKey describes it: grouped by section, each setting commented out at its default. */
    static String render() {
        Map<String, List<ConfigKey>> sections = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKey.values()) {
            sections.computeIfAbsent(key.key().substring(0, key.key().indexOf('.')), s -> new ArrayList<>()).add(key);
        }
        StringBuilder out = new StringBuilder();
        out.append("""
                # nexus-sync configuration: every setting, with its default and what it means.
                # Copy it to config/nexus-sync.yml, edit, then: bin/nexus-sync run --config config/nexus-sync.yml
                # An environment variable (named under each setting) overrides the file; `bin/nexus-sync config` lists
                # them all. A line starting with '#' followed by a key is a setting at its default: remove the '#' to
                # change it. Written from the code's own table of settings (ConfigKey); a test keeps the two the same.
                """);
        sections.forEach((section, keys) -> {
            out.append("\n# ").append("=".repeat(3)).append(' ').append(section).append(' ').append("=".repeat(3)).append('\n');
            for (ConfigKey key : keys) {
                out.append('\n');
                wrap(key.description(), out);
                String placeholder = PLACEHOLDERS.get(key);
                if (key.environmentOnly()) {
                    // no key line: the file refuses it (logging starts before the file is read), so uncommenting must not be offered
                    out.append("# environment only: ").append(key.environment()).append('=').append(key.defaultValue()).append('\n');
                    continue;
                }
                out.append("# environment: ").append(key.environment())
                        .append(key.defaultValue() == null ? "; required, no default" : "")
                        .append(key.secret() ? "; a secret: `config` prints it redacted" : "")
                        .append('\n');
                if (placeholder != null) {
                    out.append(key.key()).append(": ").append(placeholder).append('\n');
                } else {
                    String value = key.defaultValue() == null || key.defaultValue().isEmpty() ? "\"\"" : key.defaultValue();
                    out.append('#').append(key.key()).append(": ").append(value).append('\n');
                }
            }
        });
        return out.toString();
    }

    private static void wrap(String text, StringBuilder out) {
        StringBuilder line = new StringBuilder("#");
        for (String word : text.split("\\s+")) {
            if (line.length() + 1 + word.length() > WIDTH && line.length() > 1) {
                out.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        out.append(line).append('\n');
    }
}
