package io.nexussync.app.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nexussync.core.fault.CircuitBreaker;
import io.nexussync.postgres.JdbcUrls;
import io.nexussync.postgres.PgSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** File first, then environment overrides, then validation that reports every problem at once. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*((?:[kKmMgGtT]i?)?[bB]?)");
    /** Settings renamed: their former names, still read (the new name wins where both are given). */
    private static final Map<ConfigKey, String[]> FORMER_NAMES = Map.of(
            ConfigKey.REVERT_REFUSED, new String[] {"sync.revert-refused-inserts", "NEXUS_SYNC_REVERT_REFUSED_INSERTS"});

    private ConfigLoader() {}

    public static SyncConfig load(Path file, Map<String, String> environment) {
        return load(file, environment, true);
    }

    /** @param needsNeo4j false for commands that talk to PostgreSQL only ({@code mapping check}, {@code mapping init}) */
    public static SyncConfig load(Path file, Map<String, String> environment, boolean needsNeo4j) {
        return load(file, environment, needsNeo4j, true);
    }

    /** For commands that read the graph only ({@code history}): the PostgreSQL settings may be missing. */
    public static SyncConfig loadNeo4jOnly(Path file, Map<String, String> environment) {
        return load(file, environment, true, false);
    }

    private static SyncConfig load(Path file, Map<String, String> environment, boolean needsNeo4j, boolean needsPostgres) {
        EffectiveSettings settings = resolve(file, environment);
        List<String> problems = new ArrayList<>(settings.problems());
        SyncConfig config = validate(new EnumMap<>(settings.values()), settings.givenAs(), settings.sources(), problems, needsNeo4j, needsPostgres);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /**
     * Every setting's value and its source, as {@link #load} takes them: the file, then the environment over it, then each
     * secret's {@code *_FILE} read; defaults for the rest. Problems reading them are collected, not thrown.
     */
    public static EffectiveSettings resolve(Path file, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
        // The name a value was given under, where it is a former name: what a problem with it must say.
        Map<ConfigKey, String> givenAs = new EnumMap<>(ConfigKey.class);
        if (file != null) {
            readFile(file, values, givenAs, problems);
            values.keySet().forEach(key -> sources.put(key, givenAs.containsKey(key) ? "file " + givenAs.get(key) : "file " + file));
        }
        for (ConfigKey key : ConfigKey.values()) {
            String fromEnvironment = environment.get(key.environment());
            String[] former = FORMER_NAMES.get(key);
            if (fromEnvironment == null && former != null && environment.get(former[1]) != null) {
                fromEnvironment = environment.get(former[1]);
                givenAs.put(key, former[1]);
                sources.put(key, EffectiveSettings.ENVIRONMENT + " " + former[1]);
            } else if (fromEnvironment != null) {
                givenAs.remove(key);
                sources.put(key, EffectiveSettings.ENVIRONMENT);
            }
            if (fromEnvironment != null) {
                values.put(key, fromEnvironment);
            }
            values.putIfAbsent(key, key.defaultValue());
        }
        for (ConfigKey secret : ConfigKey.values()) {
            if (secret.fileVariant() != null) {
                readSecretFile(secret, values, sources, problems);
            }
        }
        return new EffectiveSettings(file, values, sources, givenAs, problems);
    }

    /**
     * A secret from the file its {@code *_FILE} setting names (a mounted secret): the file's text without one trailing
     * newline, which editors and {@code echo} add and no password means.
     */
    private static void readSecretFile(ConfigKey secret, Map<ConfigKey, String> values, Map<ConfigKey, String> sources, List<String> problems) {
        ConfigKey fileKey = secret.fileVariant();
        String name = values.get(fileKey).strip();
        if (name.isEmpty()) {
            return;
        }
        String where = fileKey.environment() + " (" + name + ")";
        if (!values.get(secret).isEmpty()) {
            problems.add("both " + secret.environment() + " and " + fileKey.environment() + " are set (" + secret.key() + " from "
                    + sources.getOrDefault(secret, EffectiveSettings.DEFAULT) + ", " + fileKey.key() + " from "
                    + sources.getOrDefault(fileKey, EffectiveSettings.DEFAULT) + "): set one");
        }
        try {
            String text = Files.readString(Path.of(name));
            text = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            if (text.isBlank()) {
                problems.add(where + " is empty: write the " + (secret == ConfigKey.ADMIN_TOKEN ? "token" : "password") + " into it");
            }
            values.put(secret, text);
            sources.put(secret, where);
        } catch (IOException | RuntimeException e) {
            problems.add(where + " cannot be read (" + e.getClass().getSimpleName() + "): check the path and that this user may read it");
        }
    }

    private static void readFile(Path file, Map<ConfigKey, String> values, Map<ConfigKey, String> givenAs, List<String> problems) {
        if (!Files.isReadable(file)) {
            problems.add("config file " + file + " cannot be read: check the path given to --config");
            return;
        }
        Map<String, Object> tree;
        try {
            tree = YAML.readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            problems.add("config file " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", tree == null ? Map.of() : tree, flat);
        flat.forEach((key, value) -> {
            ConfigKey known = null;
            for (ConfigKey k : ConfigKey.values()) {
                if (k.key().equals(key)) {
                    known = k;
                }
            }
            for (Map.Entry<ConfigKey, String[]> former : FORMER_NAMES.entrySet()) {
                if (former.getValue()[0].equals(key)) {
                    if (!flat.containsKey(former.getKey().key())) {
                        values.put(former.getKey(), value);
                        givenAs.put(former.getKey(), file + ": " + key);
                    }
                    return;
                }
            }
            if (known == null) {
                problems.add(file + ": unknown key '" + key + "'; known keys: " + knownKeys());
            } else if (known.environmentOnly()) {
                problems.add(file + ": '" + key + "' cannot be set in the config file (logging starts before the file is read): set "
                        + known.environment() + " in the environment instead");
            } else {
                values.put(known, value);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> tree, Map<String, String> out) {
        tree.forEach((k, v) -> {
            String key = prefix.isEmpty() ? k : prefix + "." + k;
            if (v instanceof Map<?, ?> nested) {
                flatten(key, (Map<String, Object>) nested, out);
            } else {
                out.put(key, v == null ? "" : String.valueOf(v));
            }
        });
    }

    private static SyncConfig validate(Map<ConfigKey, String> v, Map<ConfigKey, String> givenAs, Map<ConfigKey, String> sources,
            List<String> problems, boolean needsNeo4j, boolean needsPostgres) {
        String url = v.get(ConfigKey.PG_URL);
        if (url == null || url.isBlank()) {
            if (needsPostgres) {
                problems.add(missing(ConfigKey.PG_URL));
            }
        } else if (!url.startsWith("jdbc:postgresql://")) {
            problems.add(ConfigKey.PG_URL.environment() + " is '" + JdbcUrls.redact(url) + "': it must be a JDBC URL starting jdbc:postgresql://");
        }
        if (url != null && url.startsWith("jdbc:postgresql://")) {
            TlsSettings.checkPostgresUrl(url, problems);
        }
        String uri = v.get(ConfigKey.NEO4J_URI);
        if (uri == null || uri.isBlank()) {
            if (needsNeo4j) {
                problems.add(missing(ConfigKey.NEO4J_URI));
            }
        } else if (!uri.matches("(bolt|neo4j)(\\+s|\\+ssc)?://.+")) {
            problems.add(ConfigKey.NEO4J_URI.environment() + " is '" + uri + "': it must be a bolt:// or neo4j:// URI");
        }
        Path neo4jTrustedCa = TlsSettings.neo4jTrustedCa(v.get(ConfigKey.NEO4J_TRUSTED_CA_FILE), uri, problems);
        logging(v, problems);
        for (ConfigKey name : new ConfigKey[] {ConfigKey.SLOT, ConfigKey.PUBLICATION}) {
            if (!v.get(name).matches("[a-z0-9_]{1,63}")) {
                problems.add(name.environment() + " is '" + v.get(name) + "': use 1 to 63 lower-case letters, digits or _");
            }
        }
        int batchSize = positive(v, ConfigKey.BATCH_SIZE, problems);
        int batchDelay = positive(v, ConfigKey.BATCH_DELAY_MS, problems);
        int queue = positive(v, ConfigKey.QUEUE_CAPACITY, problems);
        int batchTarget = positive(v, ConfigKey.BATCH_TARGET_MS, problems);
        int workers = workers(v, problems);
        long readAhead = bytes(v, ConfigKey.READ_AHEAD, problems);
        if (readAhead < (1L << 20) && problems.stream().noneMatch(p -> p.startsWith(ConfigKey.READ_AHEAD.environment()))) {
            problems.add(ConfigKey.READ_AHEAD.environment() + " is " + v.get(ConfigKey.READ_AHEAD) + ": use at least 1MB");
        }
        int laneCache = positive(v, ConfigKey.LANE_CACHE, problems);
        AdminSettings admin = admin(v, sources, problems);
        int statementTimeout = integer(v, ConfigKey.BACKFILL_STATEMENT_TIMEOUT_S, problems);
        if (statementTimeout < 1) {
            problems.add(ConfigKey.BACKFILL_STATEMENT_TIMEOUT_S.environment() + " is " + statementTimeout + ": it must be at least 1 (s)");
        }
        int heartbeat = integer(v, ConfigKey.HEARTBEAT_MS, problems);
        if (heartbeat < 0 || (heartbeat > 0 && heartbeat < 100)) {
            problems.add(ConfigKey.HEARTBEAT_MS.environment() + " is " + heartbeat + ": use at least 100 (ms), or 0 to turn the heartbeat off");
        }
        long walWarnBytes = bytes(v, ConfigKey.WAL_WARN_BYTES, problems);
        int slotCheck = integer(v, ConfigKey.SLOT_CHECK_MS, problems);
        if (slotCheck < 100) {
            problems.add(ConfigKey.SLOT_CHECK_MS.environment() + " is " + slotCheck + ": it must be at least 100 (ms)");
        }
        int socketTimeout = integer(v, ConfigKey.PG_SOCKET_TIMEOUT_S, problems);
        if (socketTimeout < 0) {
            problems.add(ConfigKey.PG_SOCKET_TIMEOUT_S.environment() + " is " + socketTimeout + ": use seconds, or 0 to wait for ever");
        }
        int circuitFailures = positive(v, ConfigKey.CIRCUIT_FAILURES, problems);
        int circuitMaxWait = integer(v, ConfigKey.CIRCUIT_MAX_WAIT_MS, problems);
        if (circuitMaxWait < 1000) {
            problems.add(ConfigKey.CIRCUIT_MAX_WAIT_MS.environment() + " is " + circuitMaxWait + ": it must be at least 1000 (ms)");
        }
        java.util.Set<io.nexussync.core.model.TableId> revertRefused = new java.util.LinkedHashSet<>();
        for (String table : v.get(ConfigKey.REVERT_REFUSED).split(",")) {
            if (table.isBlank()) {
                continue;
            }
            if (!table.trim().matches("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?")) {
                problems.add(givenAs.getOrDefault(ConfigKey.REVERT_REFUSED, ConfigKey.REVERT_REFUSED.environment()) + " names '" + table.trim()
                        + "': use schema.table, comma-separated");
            } else {
                revertRefused.add(io.nexussync.core.model.TableId.parse(table.trim()));
            }
        }
        Duration verifyInterval = interval(v, ConfigKey.VERIFY_INTERVAL, problems);
        boolean verifyRepair = bool(v, ConfigKey.VERIFY_REPAIR, problems);
        boolean writeBack = writeBack(v, problems);
        if (!writeBack && !revertRefused.isEmpty()) {
            problems.add(ConfigKey.REVERT_REFUSED.environment() + " names tables while " + ConfigKey.WRITE_BACK.environment() + " is off: a revert "
                    + "undoes a row in PostgreSQL because this graph refused it, which the graph that writes back may have taken; leave "
                    + ConfigKey.REVERT_REFUSED.environment() + " empty for this graph (the graph that writes back may revert)");
        }
        ReverseSettings reverse = reverse(v, writeBack, problems);
        CriticalSettings critical = critical(v, problems);
        String mapping = v.get(ConfigKey.MAPPING);
        if (mapping != null && !mapping.isEmpty() && !Files.isReadable(Path.of(mapping))) {
            problems.add(ConfigKey.MAPPING.environment() + " names " + mapping + ", which cannot be read: check the path");
        }
        return new SyncConfig(new PgSettings(url, v.get(ConfigKey.PG_USER), v.get(ConfigKey.PG_PASSWORD), v.get(ConfigKey.SLOT), v.get(ConfigKey.PUBLICATION),
                        Duration.ofSeconds(Math.max(socketTimeout, 0))),
                uri, v.get(ConfigKey.NEO4J_USER), v.get(ConfigKey.NEO4J_PASSWORD), emptyToNull(v.get(ConfigKey.NEO4J_DATABASE)),
                mapping, batchSize, Duration.ofMillis(batchDelay), queue, admin,
                Duration.ofMillis(Math.max(heartbeat, 0)), walWarnBytes, Duration.ofMillis(Math.max(slotCheck, 100)),
                Duration.ofMillis(batchTarget), workers, Math.max(readAhead, 1L << 20), laneCache,
                new CircuitBreaker.Settings(Math.max(circuitFailures, 1), CircuitBreaker.Settings.DEFAULT.firstWait(),
                        Duration.ofMillis(Math.max(circuitMaxWait, 1000))), java.util.Set.copyOf(revertRefused),
                Duration.ofSeconds(Math.max(statementTimeout, 1)), verifyInterval, verifyRepair, reverse,
                critical, neo4jTrustedCa, retention(v, ConfigKey.LOG_RETENTION, problems),
                retention(v, ConfigKey.HISTORY_RETENTION, problems), kafka(v, problems), writeBack);
    }

    /**
     * {@code sync.write-back}: on or off. The config file's YAML (1.1) reads an unquoted on or off as a boolean, which
     * reaches us as true or false: both spellings are taken.
     */
    private static boolean writeBack(Map<ConfigKey, String> v, List<String> problems) {
        String text = v.get(ConfigKey.WRITE_BACK).strip().toLowerCase(Locale.ROOT);
        if (text.equals("on") || text.equals("true")) {
            return true;
        }
        if (text.equals("off") || text.equals("false")) {
            return false;
        }
        problems.add(ConfigKey.WRITE_BACK.environment() + " (" + ConfigKey.WRITE_BACK.key() + ") is '" + v.get(ConfigKey.WRITE_BACK)
                + "': use on (the default: this graph writes neo4j_node_id back) or off (a further graph of the same database, "
                + "which leaves neo4j_node_id to the graph that writes back)");
        return true;
    }

    private static KafkaSettings kafka(Map<ConfigKey, String> v, List<String> problems) {
        for (ConfigKey topic : new ConfigKey[] {ConfigKey.KAFKA_TOPIC, ConfigKey.KAFKA_PROGRESS_TOPIC}) {
            if (!v.get(topic).matches("[a-zA-Z0-9._-]{1,249}")) {
                problems.add(topic.environment() + " is '" + v.get(topic) + "': a Kafka topic name is 1 to 249 letters, digits, '.', '_' or '-'");
            }
        }
        if (v.get(ConfigKey.KAFKA_TOPIC).equals(v.get(ConfigKey.KAFKA_PROGRESS_TOPIC))) {
            problems.add(ConfigKey.KAFKA_PROGRESS_TOPIC.environment() + " names the change topic: give capture's progress a topic of its own");
        }
        String critical = v.get(ConfigKey.KAFKA_CRITICAL_TOPIC).strip();
        if (!critical.isEmpty() && !critical.matches("[a-zA-Z0-9._-]{1,249}")) {
            problems.add(ConfigKey.KAFKA_CRITICAL_TOPIC.environment() + " is '" + critical + "': a Kafka topic name is 1 to 249 letters, "
                    + "digits, '.', '_' or '-' (or leave it empty for " + ConfigKey.KAFKA_TOPIC.key() + " + \".critical\")");
        }
        String criticalName = critical.isEmpty() ? KafkaSettings.defaultCriticalTopic(v.get(ConfigKey.KAFKA_TOPIC)) : critical;
        if (criticalName.equals(v.get(ConfigKey.KAFKA_TOPIC)) || criticalName.equals(v.get(ConfigKey.KAFKA_PROGRESS_TOPIC))) {
            problems.add(ConfigKey.KAFKA_CRITICAL_TOPIC.environment() + " names the change or the progress topic: give the critical lane "
                    + "a topic of its own");
        }
        if (v.get(ConfigKey.KAFKA_GROUP).isBlank()) {
            problems.add(ConfigKey.KAFKA_GROUP.environment() + " is empty: name the apply role's consumer group");
        }
        Duration retention = retention(v, ConfigKey.KAFKA_RETENTION, problems);
        return new KafkaSettings(v.get(ConfigKey.KAFKA_BOOTSTRAP).strip(), v.get(ConfigKey.KAFKA_TOPIC), v.get(ConfigKey.KAFKA_PROGRESS_TOPIC),
                positive(v, ConfigKey.KAFKA_PARTITIONS, problems), positive(v, ConfigKey.KAFKA_REPLICATION, problems),
                retention.isZero() ? Duration.ofDays(7) : retention, v.get(ConfigKey.KAFKA_GROUP).strip(),
                v.get(ConfigKey.KAFKA_CRITICAL_TOPIC).isBlank() ? KafkaSettings.defaultCriticalTopic(v.get(ConfigKey.KAFKA_TOPIC))
                        : v.get(ConfigKey.KAFKA_CRITICAL_TOPIC).strip(), kafkaClientProperties(v, problems));
    }

    /** The file {@code kafka.client-properties} names, read once at start; its values are never printed (passwords). */
    private static Map<String, String> kafkaClientProperties(Map<ConfigKey, String> v, List<String> problems) {
        String file = v.get(ConfigKey.KAFKA_CLIENT_PROPERTIES).strip();
        if (file.isEmpty()) {
            return Map.of();
        }
        java.util.Properties properties = new java.util.Properties();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file), java.nio.charset.StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (java.io.IOException | RuntimeException e) {
            problems.add(ConfigKey.KAFKA_CLIENT_PROPERTIES.environment() + " is '" + file + "', which cannot be read as a properties file ("
                    + e.getClass().getSimpleName() + "): give the path of a readable file of key=value lines, or leave it empty");
            return Map.of();
        }
        Map<String, String> settings = new java.util.TreeMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name.strip(), properties.getProperty(name).strip()));
        java.util.Set<String> reserved = io.nexussync.kafka.KafkaClientConfigs.reservedAmong(settings);
        if (!reserved.isEmpty()) {
            problems.add(ConfigKey.KAFKA_CLIENT_PROPERTIES.environment() + " ('" + file + "') sets " + reserved + ", which nexus-sync sets "
                    + "itself (its exactly-once delivery rests on them, or they come from kafka.bootstrap-servers and kafka.group): "
                    + "remove them from the file");
        }
        return settings;
    }

    /** Read by logback, not by us: checked here so that a typo is an error at start rather than a silent log (or none). */
    private static void logging(Map<ConfigKey, String> v, List<String> problems) {
        String format = v.get(ConfigKey.LOG_FORMAT);
        if (!format.equals("plain") && !format.equals("json")) {
            problems.add(ConfigKey.LOG_FORMAT.environment() + " is '" + format + "': use plain or json (lower case)");
        }
        String level = v.get(ConfigKey.LOG_LEVEL).strip().toUpperCase(Locale.ROOT);
        if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level)) {
            problems.add(ConfigKey.LOG_LEVEL.environment() + " is '" + v.get(ConfigKey.LOG_LEVEL) + "': use TRACE, DEBUG, INFO, WARN or ERROR");
        }
    }

    private static CriticalSettings critical(Map<ConfigKey, String> v, List<String> problems) {
        // A prepared transaction holds its locks until it is finished: a timeout below a second would roll back writes the stream is applying.
        Duration timeout = period(v, ConfigKey.CRITICAL_TIMEOUT, Duration.ofSeconds(1), problems);
        Duration interval = period(v, ConfigKey.CRITICAL_RECOVERY_INTERVAL, Duration.ofMillis(100), problems);
        Duration alertAge = period(v, ConfigKey.CRITICAL_ALERT_AGE, Duration.ofSeconds(1), problems);
        return new CriticalSettings(timeout, interval, alertAge);
    }

    private static ReverseSettings reverse(Map<ConfigKey, String> v, boolean writeBack, List<String> problems) {
        ReverseSettings.Mode mode = ReverseSettings.Mode.parse(v.get(ConfigKey.REVERSE_MODE));
        if (mode == null) {
            problems.add(ConfigKey.REVERSE_MODE.environment() + " is '" + v.get(ConfigKey.REVERSE_MODE) + "': use auto, plugin, poll or off");
            mode = ReverseSettings.Mode.AUTO;
        }
        // A graph that does not write back is one of several fed from the rows: its edits would reach the rows beside another
        // graph's (one neo4j_version per row for both, a row inserted for a node made here written with this graph's elementId).
        if (!writeBack && mode == ReverseSettings.Mode.AUTO) {
            mode = ReverseSettings.Mode.OFF;
        } else if (!writeBack && mode != ReverseSettings.Mode.OFF) {
            problems.add(ConfigKey.REVERSE_MODE.environment() + " is '" + v.get(ConfigKey.REVERSE_MODE) + "' while " + ConfigKey.WRITE_BACK.environment()
                    + " is off: graph edits flow back only from the graph that writes back; set " + ConfigKey.REVERSE_MODE.environment()
                    + " to off (or auto) for this graph, or " + ConfigKey.WRITE_BACK.environment() + " to on if it is the only graph");
        }
        Duration poll = period(v, ConfigKey.REVERSE_POLL_INTERVAL, Duration.ofMillis(100), problems);
        // Below a millisecond an idle service would read the graph's outbox without pause.
        Duration outbox = period(v, ConfigKey.REVERSE_OUTBOX_INTERVAL, Duration.ofMillis(1), problems);
        int batch = positive(v, ConfigKey.REVERSE_BATCH_SIZE, problems);
        if (batch > 10_000) {
            problems.add(ConfigKey.REVERSE_BATCH_SIZE.environment() + " is " + batch + ": use at most 10000 (one PostgreSQL transaction holds them all)");
        }
        return new ReverseSettings(mode, poll, outbox, Math.min(batch, 10_000));
    }

    /**
     * A short period: ISO-8601 ({@code PT1S}, {@code PT0.05S}) or a number with a unit (ms, s, m: {@code 50ms}, {@code 2s}),
     * from {@code least} to an hour. A bare number is refused: milliseconds or seconds would be a guess.
     */
    static Duration period(Map<ConfigKey, String> v, ConfigKey key, Duration least, List<String> problems) {
        String text = v.get(key).trim().toLowerCase(Locale.ROOT);
        Duration value = null;
        Matcher unit = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)").matcher(text);
        if (unit.matches()) {
            long n = Long.parseLong(unit.group(1));
            value = switch (unit.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        } else if (text.startsWith("p")) {
            try {
                value = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                value = null;
            }
        }
        if (value == null || value.compareTo(least) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
            problems.add(key.environment() + " is '" + v.get(key) + "': use ISO-8601 (PT1S, PT0.05S) or a number with ms, s or m (50ms, 2s), "
                    + "from " + least.toMillis() + " ms to 1 hour");
            // never used: a problem stops the load
            return least;
        }
        return value;
    }

    /**
     * A period: ISO-8601 ({@code PT1H}) or a number with a unit (s, m, h, d: {@code 90s}, {@code 6h}); {@code 0} or
     * {@code off} is {@link Duration#ZERO} (off). A bare number other than 0 is refused: seconds or minutes would be a guess.
     */
    static Duration interval(Map<ConfigKey, String> v, ConfigKey key, List<String> problems) {
        Duration value = period(v.get(key), "(\\d{1,9})\\s*(s|m|h|d)");
        if (value == null || value.isNegative()) {
            problems.add(key.environment() + " is '" + v.get(key) + "': use ISO-8601 (PT1H, PT30M) or a number with s, m, h or d (90s, 6h); "
                    + "0 or off turns it off");
            return Duration.ZERO;
        }
        if (!value.isZero() && value.compareTo(Duration.ofMinutes(1)) < 0) {
            problems.add(key.environment() + " is '" + v.get(key) + "': use at least 1 minute (a verify reads every mapped table), or 0/off");
            return Duration.ZERO;
        }
        return value;
    }

    /**
     * How long something is kept: ISO-8601 ({@code P7D}, {@code PT12H}) or a number with a unit (m, h, d: {@code 12h},
     * {@code 30d}); {@code 0} or {@code off} is {@link Duration#ZERO} (keep everything). At least a minute.
     */
    static Duration retention(Map<ConfigKey, String> v, ConfigKey key, List<String> problems) {
        Duration value = period(v.get(key), "(\\d{1,6})\\s*(m|h|d)");
        if (value == null || (!value.isZero() && value.compareTo(Duration.ofMinutes(1)) < 0)) {
            problems.add(key.environment() + " is '" + v.get(key) + "': use ISO-8601 (P7D, PT12H) or a number with m, h or d (12h, 30d), "
                    + "at least 1 minute; 0 or off keeps everything");
            return Duration.ZERO;
        }
        return value;
    }

    /**
     * {@code 0} or {@code off} as {@link Duration#ZERO}, a number with one of the units {@code numberWithUnit} allows (s, m, h,
     * d), or ISO-8601 ({@code PT1H}, {@code P7D}); null when it is none of them.
     */
    private static Duration period(String setting, String numberWithUnit) {
        String text = setting.trim().toLowerCase(Locale.ROOT);
        // false: how the config file's YAML (1.1) reads an unquoted off, which the key's description offers.
        if (text.equals("0") || text.equals("off") || text.equals("false")) {
            return Duration.ZERO;
        }
        Matcher unit = Pattern.compile(numberWithUnit).matcher(text);
        if (unit.matches()) {
            long n = Long.parseLong(unit.group(1));
            return switch (unit.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (text.startsWith("p")) {
            try {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean bool(Map<ConfigKey, String> v, ConfigKey key, List<String> problems) {
        String text = v.get(key).trim().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        problems.add(key.environment() + " is '" + v.get(key) + "': use true or false (" + key.description() + ")");
        return false;
    }

    /** The admin API: port, the address it listens on, and its token (given, or read from a file); never prints the token. */
    private static AdminSettings admin(Map<ConfigKey, String> v, Map<ConfigKey, String> sources, List<String> problems) {
        int port = integer(v, ConfigKey.ADMIN_PORT, problems);
        if (port < -1 || port > 65535) {
            problems.add(ConfigKey.ADMIN_PORT.environment() + " is " + port + ": use a port 0-65535, or -1 to turn the admin HTTP off");
        }
        String bind = v.get(ConfigKey.ADMIN_BIND).trim();
        if (port >= 0) {
            try {
                if (bind.isEmpty()) {
                    throw new UnknownHostException("empty");
                }
                InetAddress.getByName(bind);
            } catch (UnknownHostException e) {
                problems.add(ConfigKey.ADMIN_BIND.environment() + " is '" + bind + "': not an address of this machine; use an IP address "
                        + "such as 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every interface)");
            }
        }
        // A token from NEXUS_SYNC_ADMIN_TOKEN_FILE is already read (resolve); a problem with it names that file.
        String token = v.get(ConfigKey.ADMIN_TOKEN).strip();
        String source = sources.getOrDefault(ConfigKey.ADMIN_TOKEN, ConfigKey.ADMIN_TOKEN.environment());
        if (source.equals(EffectiveSettings.ENVIRONMENT)) {
            source = ConfigKey.ADMIN_TOKEN.environment();
        }
        if (!token.isEmpty() && (token.length() < 16 || !token.matches("[\\x21-\\x7E]+"))) {
            problems.add("the admin token from " + source + " is not accepted: use at least 16 visible ASCII characters without spaces "
                    + "(e.g. the output of openssl rand -hex 32)");
        }
        Duration readyLag = period(v, ConfigKey.ADMIN_READY_LAG, Duration.ofSeconds(1), problems);
        return new AdminSettings(bind, port, token.isEmpty() ? null : token, readyLag);
    }

    private static int workers(Map<ConfigKey, String> v, List<String> problems) {
        String text = v.get(ConfigKey.APPLY_WORKERS).trim();
        if (text.equalsIgnoreCase("auto")) {
            return Math.min(8, Math.max(1, Runtime.getRuntime().availableProcessors()));
        }
        int workers = integer(v, ConfigKey.APPLY_WORKERS, problems);
        if (workers < 1 || workers > 64) {
            if (problems.stream().noneMatch(p -> p.startsWith(ConfigKey.APPLY_WORKERS.environment()))) {
                problems.add(ConfigKey.APPLY_WORKERS.environment() + " is " + text + ": use auto or a number from 1 to 64");
            }
            return 1;
        }
        return workers;
    }

    private static String missing(ConfigKey key) {
        return key.key() + " is not set: set " + key.environment() + " or '" + key.key() + "' in the config file (" + key.description() + ")";
    }

    private static int positive(Map<ConfigKey, String> v, ConfigKey key, List<String> problems) {
        int value = integer(v, key, problems);
        if (value < 1 && problems.stream().noneMatch(p -> p.startsWith(key.environment()))) {
            problems.add(key.environment() + " is " + value + ": it must be at least 1");
        }
        return Math.max(value, 1);
    }

    private static int integer(Map<ConfigKey, String> v, ConfigKey key, List<String> problems) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            problems.add(key.environment() + " is '" + v.get(key) + "': it must be a whole number (" + key.description() + ")");
            return 1;
        }
    }

    /** A byte count: digits, optionally followed by B, kB, MB, GB or TB (powers of 1024, as in postgresql.conf; KiB, MiB... too). */
    private static long bytes(Map<ConfigKey, String> v, ConfigKey key, List<String> problems) {
        Matcher m = BYTES.matcher(v.get(key).trim());
        if (m.matches()) {
            String unit = m.group(2).toUpperCase(Locale.ROOT).replace("I", "").replace("B", "");
            int shift = switch (unit) {
                case "" -> 0;
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                default -> 40;
            };
            try {
                long number = Long.parseLong(m.group(1));
                if (number >= 1 && number <= (Long.MAX_VALUE >> shift)) {
                    return number << shift;
                }
            } catch (NumberFormatException tooLong) {
                // reported below
            }
        }
        problems.add(key.environment() + " is '" + v.get(key) + "': use a positive number of bytes, optionally with kB, MB, GB or TB (e.g. 1GB)");
        return 1;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String knownKeys() {
        List<String> keys = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            keys.add(k.key());
        }
        return String.join(", ", keys);
    }
}
