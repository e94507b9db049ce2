package io.nexussync.app.config;

import io.nexussync.postgres.JdbcUrls;

/**
 * Every setting in one table: its key in the YAML file, its environment variable, its default and
 * what it means. {@code nexus-sync config} prints this table with each setting's effective value and where it came from.
 */
public enum ConfigKey {
    PG_URL("postgres.url", "NEXUS_SYNC_PG_URL", null, false, "JDBC URL of the source database, e.g. jdbc:postgresql://db:5432/app"),
    PG_USER("postgres.user", "NEXUS_SYNC_PG_USER", "postgres", false, "PostgreSQL role; needs REPLICATION and the right to create the publication"),
    PG_PASSWORD("postgres.password", "NEXUS_SYNC_PG_PASSWORD", "", true, "password of that role"),
    PG_PASSWORD_FILE("postgres.password-file", "NEXUS_SYNC_PG_PASSWORD_FILE", "", false,
            "file holding that password (a mounted secret), instead of postgres.password; one trailing newline is dropped"),
    NEO4J_URI("neo4j.uri", "NEXUS_SYNC_NEO4J_URI", null, false, "Bolt URI of Neo4j, e.g. bolt://graph:7687 or neo4j://graph:7687"),
    NEO4J_USER("neo4j.user", "NEXUS_SYNC_NEO4J_USER", "", false, "Neo4j user; empty means no authentication"),
    NEO4J_PASSWORD("neo4j.password", "NEXUS_SYNC_NEO4J_PASSWORD", "", true, "Neo4j password"),
    NEO4J_PASSWORD_FILE("neo4j.password-file", "NEXUS_SYNC_NEO4J_PASSWORD_FILE", "", false,
            "file holding the Neo4j password (a mounted secret), instead of neo4j.password; one trailing newline is dropped"),
    NEO4J_DATABASE("neo4j.database", "NEXUS_SYNC_NEO4J_DATABASE", "", false, "Neo4j database; empty means the server's default"),
    NEO4J_TRUSTED_CA_FILE("neo4j.trusted-ca-file", "NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE", "", false,
            "PEM file of the CA (or self-signed certificate) that signed Neo4j's Bolt certificate: the connection is then encrypted and "
                    + "trusts only certificates it signed; use it with a bolt:// or neo4j:// URI (a neo4j+s:// or bolt+s:// URI trusts the "
                    + "JVM's CAs instead and cannot take it)"),
    SLOT("sync.slot", "NEXUS_SYNC_SLOT", "contextnexus_cdc", false, "logical replication slot this service owns (pgoutput)"),
    PUBLICATION("sync.publication", "NEXUS_SYNC_PUBLICATION", "contextnexus_sync", false, "publication listing the mapped tables"),
    MAPPING("sync.mapping", "NEXUS_SYNC_MAPPING", "", false, "mapping YAML file; empty means the built-in ContextNexus mapping"),
    BATCH_SIZE("sync.batch-size", "NEXUS_SYNC_BATCH_SIZE", "5000", false, "most row changes in one Neo4j transaction"),
    BATCH_DELAY_MS("sync.batch-delay-ms", "NEXUS_SYNC_BATCH_DELAY_MS", "10", false, "longest a change waits for its batch to fill, in ms"),
    BATCH_TARGET_MS("sync.batch-target-ms", "NEXUS_SYNC_BATCH_TARGET_MS", "1000", false,
            "the Neo4j commit time the batch size adapts to: smaller batches when commits take longer, up to the batch size when shorter"),
    APPLY_WORKERS("sync.apply-workers", "NEXUS_SYNC_APPLY_WORKERS", "auto", false,
            "batches written to Neo4j at once, each touching different entities; auto means one per CPU core (at most 8)"),
    READ_AHEAD("sync.read-ahead", "NEXUS_SYNC_READ_AHEAD", "128MB", false,
            "memory for changes read from the slot and not yet applied (what lets an urgent change overtake a backlog); reading stops at it"),
    LANE_CACHE("sync.lane-cache-entities", "NEXUS_SYNC_LANE_CACHE_ENTITIES", "100000", false,
            "entities whose last row image is remembered to tell which columns an UPDATE changed (its lane); about 200 bytes each"),
    QUEUE_CAPACITY("sync.queue-capacity", "NEXUS_SYNC_QUEUE_CAPACITY", "20000", false, "decoded events held between capture and apply; bounds capture memory"),
    HEARTBEAT_MS("sync.heartbeat-ms", "NEXUS_SYNC_HEARTBEAT_MS", "10000", false,
            "while the mapped tables are quiet, confirm the server's WAL position this often, so other tables' traffic does not pile up in the slot; 0 turns it off"),
    WAL_WARN_BYTES("sync.wal-warn-bytes", "NEXUS_SYNC_WAL_WARN_BYTES", "1GB", false,
            "retained WAL above which status shows a warning and the service logs one; bytes, or kB/MB/GB/TB (powers of 1024, as PostgreSQL counts)"),
    SLOT_CHECK_MS("sync.slot-check-ms", "NEXUS_SYNC_SLOT_CHECK_MS", "10000", false,
            "how often the running service reads the slot's health: retained WAL, lag, invalidation (a lost slot stops it)"),
    WRITE_BACK("sync.write-back", "NEXUS_SYNC_WRITE_BACK", "on", false,
            "on: this graph writes each node's elementId back to its row (the mapping's crossReference column, neo4j_node_id); off: "
                    + "it never writes to that column (not after batches, nor in the snapshot, the catch-up at start or a repair), for every "
                    + "further graph fed from the same database with the same mapping: one graph writes back, the others run off. Off also "
                    + "leaves to the graph that writes back the finishing of prepared critical writes, reverse sync (reverse.mode auto turns "
                    + "off; plugin and poll are refused) and reverting refused changes (sync.revert-refused is refused)"),
    PG_SOCKET_TIMEOUT_S("postgres.socket-timeout-s", "NEXUS_SYNC_PG_SOCKET_TIMEOUT_S", "300", false,
            "a read on an ordinary PostgreSQL connection (write-back, bookkeeping, slot health, backfill) that waits longer gives the "
                    + "connection up and retries on a new one, so a frozen connection cannot stall the sync; 0 waits for ever; socketTimeout in the URL wins"),
    CIRCUIT_FAILURES("sync.circuit-failures", "NEXUS_SYNC_CIRCUIT_FAILURES", "3", false,
            "retryable failures in a row (connection refused, timeouts; not bad rows, not deadlocks) after which a server counts as down: "
                    + "its circuit opens, calls to it fail fast and only one probe call per wait goes through"),
    CIRCUIT_MAX_WAIT_MS("sync.circuit-max-wait-ms", "NEXUS_SYNC_CIRCUIT_MAX_WAIT_MS", "10000", false,
            "longest wait between two probes of a server that is down (the waits start at 1 s and double, with jitter)"),
    REVERT_REFUSED("sync.revert-refused", "NEXUS_SYNC_REVERT_REFUSED", "", false,
            "mapped tables (schema.table, comma-separated) whose changes the graph refuses for good are undone in PostgreSQL (the "
                    + "compensation for critical types): a refused INSERT deleted, a refused UPDATE's previous row restored, a refused DELETE's "
                    + "row inserted again (setup gives these tables REPLICA IDENTITY FULL for the old row); other tables' refused rows are "
                    + "marked sync_status = 'failed'. Its former name, sync.revert-refused-inserts / NEXUS_SYNC_REVERT_REFUSED_INSERTS, is still read"),
    BACKFILL_STATEMENT_TIMEOUT_S("postgres.backfill-statement-timeout-s", "NEXUS_SYNC_BACKFILL_STATEMENT_TIMEOUT_S", "60", false,
            "longest a backfill chunk's read may run (PostgreSQL's statement_timeout, in seconds); a slower read fails the job with a "
                    + "message saying so: make its --where cheaper or raise this"),
    VERIFY_INTERVAL("verify.interval", "NEXUS_SYNC_VERIFY_INTERVAL", "PT1H", false,
            "how often the running service verifies the graph against PostgreSQL (the checksum pass over every mapped table; "
                    + "findings in nexus_sync.reconciliation_log): ISO-8601 (PT1H, PT30M) or a number with s, m, h or d (90s, 6h); 0 or off turns it off"),
    VERIFY_REPAIR("verify.repair", "NEXUS_SYNC_VERIFY_REPAIR", "false", false,
            "true: the scheduled verify also repairs what it finds, by rule (PostgreSQL owns core data and existence; graph-only "
                    + "properties are never touched); false: it only logs the findings (nexus-sync verify findings)"),
    LOG_RETENTION("log.retention", "NEXUS_SYNC_LOG_RETENTION", "7d", false,
            "how long rows of nexus_sync.transaction_log (batches, failed and retried operations, dead letters, a person's actions) are kept: "
                    + "the running service deletes older ones every hour, 1,000 rows per statement; ISO-8601 (P7D, PT12H) or a number with "
                    + "m, h or d (12h, 30d); 0 or off keeps everything"),
    HISTORY_RETENTION("history.retention", "NEXUS_SYNC_HISTORY_RETENTION", "off", false,
            "how long closed versions of temporal relationships (a thread_content row's past INCLUDES) are kept after they ended: "
                    + "the running service removes older ones at start and every hour, 1,000 per Neo4j transaction, never a current version "
                    + "(every as-of answer from the cut on stays the same); ISO-8601 (P90D) or a number with m, h or d (90d); 0 or off keeps everything"),
    REVERSE_MODE("reverse.mode", "NEXUS_SYNC_REVERSE_MODE", "auto", false,
            "how graph edits reach PostgreSQL: auto (the nexus-sync Neo4j plugin if the graph's server has it, else polling), plugin "
                    + "(the plugin's outbox; refuse to run without it), poll (graph writers raise neo4jVersion on what they edit; property "
                    + "edits only) or off"),
    REVERSE_POLL_INTERVAL("reverse.poll-interval", "NEXUS_SYNC_REVERSE_POLL_INTERVAL", "PT1S", false,
            "the polling fallback's scan interval (nodes whose neo4jVersion is ahead of their row's): ISO-8601 (PT1S) or a number with ms, s or m"),
    REVERSE_OUTBOX_INTERVAL("reverse.outbox-interval", "NEXUS_SYNC_REVERSE_OUTBOX_INTERVAL", "50ms", false,
            "how long reverse sync waits, after finding the plugin's outbox empty, before reading it again (bounds the graph-edit-to-"
                    + "PostgreSQL latency of an edit made while idle; a backlog is read without waiting): ISO-8601 or a number with ms, s or m"),
    REVERSE_BATCH_SIZE("reverse.batch-size", "NEXUS_SYNC_REVERSE_BATCH_SIZE", "100", false,
            "outbox entries (graph transactions) applied in one PostgreSQL transaction"),
    CRITICAL_TIMEOUT("critical.timeout", "NEXUS_SYNC_CRITICAL_TIMEOUT", "PT30S", false,
            "a critical write (a transaction prepared as 'nexus_sync:<id>') that the graph has not decided this long after its PREPARE is "
                    + "rolled back by recovery (the stream is behind or the graph unreachable): ISO-8601 (PT30S) or a number with ms, s or m"),
    CRITICAL_RECOVERY_INTERVAL("critical.recovery-interval", "NEXUS_SYNC_CRITICAL_RECOVERY_INTERVAL", "PT1S", false,
            "how often recovery looks at the prepared critical writes: commits or rolls back those the graph decided, rolls back those past "
                    + "critical.timeout (also at start): ISO-8601 or a number with ms, s or m"),
    CRITICAL_ALERT_AGE("critical.alert-age", "NEXUS_SYNC_CRITICAL_ALERT_AGE", "PT1M", false,
            "a critical write still prepared this long after its PREPARE makes /health degraded (it holds its row locks and PostgreSQL's xmin "
                    + "horizon): ISO-8601 or a number with ms, s or m"),
    KAFKA_BOOTSTRAP("kafka.bootstrap-servers", "NEXUS_SYNC_KAFKA_BOOTSTRAP_SERVERS", "", false,
            "Kafka brokers (host:port, comma-separated) for the capture and apply roles (capture --to kafka, apply --from kafka, "
                    + "setup --kafka); run, the one-process default, does not use Kafka"),
    KAFKA_TOPIC("kafka.topic", "NEXUS_SYNC_KAFKA_TOPIC", "nexus-sync.changes", false,
            "the change topic: capture publishes every mapped change to it, keyed by entity; apply consumes it (or a Debezium topic, "
                    + "with apply --format debezium)"),
    KAFKA_CRITICAL_TOPIC("kafka.critical-topic", "NEXUS_SYNC_KAFKA_CRITICAL_TOPIC", "", false,
            "the critical topic (empty: kafka.topic + \".critical\"): capture publishes there the critical changes that may overtake "
                    + "their entity's older ones (a node's delete, a whole critical node update), and apply reads it first; setup --kafka "
                    + "gives it the change topic's partitions and retention"),
    KAFKA_PROGRESS_TOPIC("kafka.progress-topic", "NEXUS_SYNC_KAFKA_PROGRESS_TOPIC", "nexus-sync.capture-progress", false,
            "compacted one-partition topic where capture records, in each of its Kafka transactions, how far it has published"),
    KAFKA_PARTITIONS("kafka.partitions", "NEXUS_SYNC_KAFKA_PARTITIONS", "6", false,
            "partitions setup --kafka gives the change topic: the most apply instances that can share one graph's work"),
    KAFKA_REPLICATION("kafka.replication-factor", "NEXUS_SYNC_KAFKA_REPLICATION_FACTOR", "3", false,
            "replicas setup --kafka gives each topic (min.insync.replicas is one fewer, at least 1); 1 for a single broker"),
    KAFKA_RETENTION("kafka.retention", "NEXUS_SYNC_KAFKA_RETENTION", "7d", false,
            "how long the change topic keeps records: an apply instance (a graph) that stays down longer loses changes and needs a "
                    + "resync; ISO-8601 (P7D) or a number with m, h or d"),
    KAFKA_GROUP("kafka.group", "NEXUS_SYNC_KAFKA_GROUP", "nexus-sync-apply", false,
            "the apply role's consumer group: apply instances of one group share the partitions and feed one graph; give each graph "
                    + "its own group"),
    KAFKA_CLIENT_PROPERTIES("kafka.client-properties", "NEXUS_SYNC_KAFKA_CLIENT_PROPERTIES", "", false,
            "a Java properties file of Kafka client settings given to every client of capture, apply, setup --kafka and status "
                    + "(security.protocol, ssl.*, sasl.* for TLS and SASL; client.id, timeouts); settings nexus-sync's guarantees rest on "
                    + "(bootstrap.servers, transactional.id, acks, isolation.level, group.id, ...) are refused; empty: none"),
    ADMIN_PORT("admin.port", "NEXUS_SYNC_ADMIN_PORT", "8089", false, "HTTP port for the web console at / and /health, /status, /metrics, /backfill, /dlq, /verify, /conflicts, /critical, /log "
            + "and /history; -1 turns it off"),
    ADMIN_BIND("admin.bind", "NEXUS_SYNC_ADMIN_BIND", "127.0.0.1", false,
            "address the admin HTTP API listens on; only this machine can reach the default: use 0.0.0.0 (every interface) "
                    + "for probes from outside, e.g. in a container"),
    ADMIN_READY_LAG("admin.ready-lag", "NEXUS_SYNC_ADMIN_READY_LAG", "10s", false,
            "how far behind the stream the graph may be for /health/ready to answer 200 (with streaming and every server reachable): "
                    + "ISO-8601 (PT10S) or a number with ms, s or m (10s, 1m), from 1 s to 1 hour; /health/live ignores it"),
    ADMIN_TOKEN("admin.token", "NEXUS_SYNC_ADMIN_TOKEN", "", true,
            "bearer token (at least 16 characters) that /backfill, /dlq, /conflicts, /critical, /log, /history and the verify mutations "
                    + "and findings need (Authorization: Bearer ...); "
                    + "without one they answer 403. /health, /metrics and /status need none"),
    ADMIN_TOKEN_FILE("admin.token-file", "NEXUS_SYNC_ADMIN_TOKEN_FILE", "", false,
            "file holding the admin token (a mounted secret), instead of admin.token"),
    LOG_FORMAT("logging.format", "NEXUS_SYNC_LOG_FORMAT", "plain", false,
            "plain (ISO-8601 date-time with offset, level, thread, logger, message) or json (one JSON object per line, logback's "
                    + "JsonEncoder); environment only: logging starts before the config file is read"),
    LOG_LEVEL("logging.level", "NEXUS_SYNC_LOG_LEVEL", "INFO", false,
            "level of the service's own log lines: TRACE, DEBUG, INFO, WARN or ERROR (pgjdbc, the Neo4j driver, HikariCP, Flyway and Jetty "
                    + "stay at WARN); environment only");

    private final String key;
    private final String environment;
    private final String defaultValue;
    private final boolean secret;
    private final String description;

    ConfigKey(String key, String environment, String defaultValue, boolean secret, String description) {
        this.key = key;
        this.environment = environment;
        this.defaultValue = defaultValue;
        this.secret = secret;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String environment() {
        return environment;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public boolean secret() {
        return secret;
    }

    public String description() {
        return description;
    }

    /** The key naming a file that holds this secret (a mounted secret, read at start), or null for a setting that is none. */
    public ConfigKey fileVariant() {
        return switch (this) {
            case PG_PASSWORD -> PG_PASSWORD_FILE;
            case NEO4J_PASSWORD -> NEO4J_PASSWORD_FILE;
            case ADMIN_TOKEN -> ADMIN_TOKEN_FILE;
            default -> null;
        };
    }

    /** Read by logback from the environment before anything else runs: a config file cannot set it. */
    public boolean environmentOnly() {
        return this == LOG_FORMAT || this == LOG_LEVEL;
    }

    /** A value as it may be printed: a secret redacted, and the password in a JDBC URL. */
    public String shown(String value) {
        if (value == null) {
            return null;
        }
        return secret ? (value.isEmpty() ? "" : "<redacted>") : this == PG_URL ? JdbcUrls.redact(value) : value;
    }
}
