package io.nexussync.core.verify;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.verify.VerifyGraph.GraphNode;
import io.nexussync.core.verify.VerifyGraph.GraphPair;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** In-memory sides for the verify engine's unit tests: what PostgreSQL and Neo4j would hand it, nothing more. */
final class VerifyFakes {
    static final TableId CONTENT = TableId.parse("public.content_items");
    static final TableId THREADS = TableId.parse("public.threads");
    static final TableId MESSAGES = TableId.parse("public.messages");
    static final TableId THREAD_CONTENT = TableId.parse("public.thread_content");
    static final TableId CONTENT_TAGS = TableId.parse("public.content_tags");
    static final TableId TAGS = TableId.parse("public.tags");
    static final ZonedDateTime OPEN = ZonedDateTime.parse("9999-12-31T00:00:00Z");

    private VerifyFakes() {}

    static String uuid(int n) {
        return String.format("00000000-0000-0000-0000-%012d", n);
    }

    static Map<String, Object> contentRow(int n) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", uuid(n));
        row.put("tenant_id", uuid(900));
        row.put("project_id", uuid(901));
        row.put("title", "title " + n);
        row.put("body", "a body only PostgreSQL keeps");
        row.put("content_type", "document");
        row.put("metadata", new JsonText("{\"k\":" + n + "}"));
        row.put("access_level", "project");
        row.put("view_count", (long) n);
        row.put("created_by", uuid(902));
        row.put("created_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(2)));
        row.put("updated_at", OffsetDateTime.of(2026, 1, 2, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", 3L);
        row.put("neo4j_version", 0L);
        row.put("neo4j_node_id", "4:e:" + n);
        return row;
    }

    static Map<String, Object> threadRow(int n) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", uuid(n));
        row.put("tenant_id", uuid(900));
        row.put("project_id", uuid(901));
        row.put("title", "thread " + n);
        row.put("status", "open");
        row.put("created_by", null);
        row.put("created_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("updated_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", 1L);
        row.put("neo4j_version", 0L);
        row.put("neo4j_node_id", "4:t:" + n);
        return row;
    }

    static Map<String, Object> messageRow(int n, int thread) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", uuid(n));
        row.put("thread_id", uuid(thread));
        row.put("tenant_id", uuid(900));
        row.put("role", "user");
        row.put("body", "hello");
        row.put("token_count", 12L);
        row.put("created_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("updated_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", 1L);
        row.put("neo4j_version", 0L);
        row.put("neo4j_node_id", "4:m:" + n);
        return row;
    }

    static Map<String, Object> includesRow(int thread, int content, double relevance) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("thread_id", uuid(thread));
        row.put("content_id", uuid(content));
        row.put("relevance_score", relevance);
        row.put("position", 1L);
        row.put("added_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", 2L);
        return row;
    }

    static Map<String, Object> taggedRow(int content, int tag) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("content_id", uuid(content));
        row.put("tag_id", uuid(tag));
        row.put("weight", 0.5);
        row.put("created_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", 1L);
        return row;
    }

    /** PostgreSQL: rows per table; a hook may change them between the reads of a check by key. */
    static final class Source implements VerifySource {
        final Mapping mapping;
        final Map<TableId, TreeMap<String, Map<String, Object>>> tables = new HashMap<>();
        final AtomicLong position = new AtomicLong(100);
        Consumer<Integer> beforeRead = read -> { };
        int reads;

        Source(Mapping mapping) {
            this.mapping = mapping;
        }

        void put(TableId table, Map<String, Object> row) {
            Subject subject = Subject.of(mapping, table).get(0);
            tables.computeIfAbsent(table, t -> new TreeMap<>(EntityKeys.ORDER)).put(EntityKeys.of(subject, row), row);
        }

        void remove(TableId table, String key) {
            tables.get(table).remove(key);
        }

        @Override
        public RowScan scan(Subject subject) {
            Iterator<Map<String, Object>> rows = new ArrayList<>(tables.getOrDefault(subject.table(), new TreeMap<>()).values()).iterator();
            Lsn at = Lsn.of(position.incrementAndGet());
            return new RowScan() {
                @Override
                public Lsn position() {
                    return at;
                }

                @Override
                public void close() {}

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Map<String, Object> next() {
                    return rows.next();
                }
            };
        }

        @Override
        public KeyedRows read(Subject subject, Collection<String> keys) {
            beforeRead.accept(++reads);
            List<Map<String, Object>> found = new ArrayList<>();
            for (String key : keys) {
                Map<String, Object> row = tables.getOrDefault(subject.table(), new TreeMap<>()).get(key);
                if (row != null) {
                    found.add(new LinkedHashMap<>(row));
                }
            }
            return new KeyedRows(found, Lsn.of(position.incrementAndGet()));
        }

        @Override
        public Map<String, Instant> lastCommitted(Subject subject, Collection<String> keys) {
            Map<String, Instant> times = new HashMap<>(committed);
            times.keySet().retainAll(keys);
            return times;
        }

        /** Commit times by key, as PostgreSQL keeps them with track_commit_timestamp on; empty: off. */
        final Map<String, Instant> committed = new HashMap<>();

        @Override
        public long estimatedRows(Subject subject) {
            return tables.getOrDefault(subject.table(), new TreeMap<>()).size();
        }
    }

    /** Neo4j: nodes per label, relationships per type and pair, as the driver would return them. */
    static class Graph implements VerifyGraph {
        final Map<String, TreeMap<String, GraphNode>> nodes = new HashMap<>();
        final Map<String, List<UnidentifiedNode>> unidentified = new HashMap<>();
        final Map<String, TreeMap<String, GraphPair>> pairs = new HashMap<>();
        final List<String> committedRepairs = new ArrayList<>();

        /** The node a sync of {@code row} writes: the planner's properties, dates as the driver reads them back, the time of the write. */
        GraphNode mirror(NodeMapping mapping, Map<String, Object> row) {
            Map<String, Object> properties = new HashMap<>();
            GraphPlanner.nodeProperties(mapping, row).forEach((k, v) -> {
                if (v != null) {
                    properties.put(k, v instanceof OffsetDateTime t ? t.toZonedDateTime() : v);
                }
            });
            properties.put("lastSyncedAt", ZonedDateTime.now());
            List<List<String>> parents = new ArrayList<>();
            mapping.parentLinks().forEach(link -> {
                String parent = link.parentIdentity(row);
                parents.add(parent == null ? List.of() : new ArrayList<>(List.of(parent)));
            });
            GraphNode node = new GraphNode(mapping.identity(row), (String) row.get("neo4j_node_id"), properties, parents);
            nodes.computeIfAbsent(mapping.label(), l -> new TreeMap<>(EntityKeys.ORDER)).put(node.id(), node);
            return node;
        }

        GraphPair mirror(RelationshipMapping mapping, Map<String, Object> row, ZonedDateTime validFrom) {
            Map<String, Object> properties = new HashMap<>();
            GraphPlanner.relationshipProperties(mapping, row).forEach((k, v) -> properties.put(k, v instanceof OffsetDateTime t ? t.toZonedDateTime() : v));
            if (mapping.temporal()) {
                properties.put("validFrom", validFrom);
                properties.put("validTo", OPEN);
            }
            GraphPair pair = new GraphPair(mapping.from().identity(row), mapping.to().identity(row), new ArrayList<>(List.of(properties)));
            pairs.computeIfAbsent(mapping.type(), t -> new TreeMap<>(EntityKeys.ORDER)).put(pair.key(), pair);
            return pair;
        }

        GraphNode node(String label, String id) {
            return nodes.get(label).get(id);
        }

        GraphPair pair(String type, String key) {
            return pairs.get(type).get(key);
        }

        @Override
        public GraphScan<GraphNode> scanNodes(NodeMapping mapping) {
            return scan(new ArrayList<>(nodes.getOrDefault(mapping.label(), new TreeMap<>()).values()));
        }

        @Override
        public List<GraphNode> nodes(NodeMapping mapping, Collection<String> ids) {
            return ids.stream().map(id -> nodes.getOrDefault(mapping.label(), new TreeMap<>()).get(id)).filter(n -> n != null).toList();
        }

        @Override
        public List<UnidentifiedNode> unidentified(NodeMapping mapping, int limit) {
            return unidentified.getOrDefault(mapping.label(), List.of());
        }

        @Override
        public GraphScan<GraphPair> scanRelationships(RelationshipMapping mapping) {
            return scan(new ArrayList<>(pairs.getOrDefault(mapping.type(), new TreeMap<>()).values()));
        }

        @Override
        public List<GraphPair> pairs(RelationshipMapping mapping, Collection<String> pairKeys) {
            return pairKeys.stream().map(k -> pairs.getOrDefault(mapping.type(), new TreeMap<>()).get(k)).filter(p -> p != null).toList();
        }

        @Override
        public long countNodes(NodeMapping mapping) {
            return nodes.getOrDefault(mapping.label(), new TreeMap<>()).size();
        }

        @Override
        public long countRelationships(RelationshipMapping mapping) {
            return pairs.getOrDefault(mapping.type(), new TreeMap<>()).size();
        }

        @Override
        public boolean repairCommitted(String repairId) {
            return committedRepairs.contains(repairId);
        }

        private static <T> GraphScan<T> scan(List<T> items) {
            Iterator<T> it = items.iterator();
            return new GraphScan<>() {
                @Override
                public void close() {}

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public T next() {
                    return it.next();
                }
            };
        }
    }

    static final class Stream implements StreamPosition {
        boolean passes = true;
        final List<Lsn> waitedFor = new ArrayList<>();

        @Override
        public boolean awaitApplied(Lsn position, Duration timeout) {
            waitedFor.add(position);
            return passes;
        }
    }

    /** The reconciliation log's rules, kept in memory. */
    static final class Log implements ReconciliationLog {
        final Map<Long, LoggedFinding> rows = new LinkedHashMap<>();
        long nextId = 1;

        @Override
        public long found(Finding finding, String by) {
            for (LoggedFinding row : rows.values()) {
                if (row.status().open() && row.finding().kind() == finding.kind() && row.finding().table().equals(finding.table())
                        && row.finding().key().equals(finding.key())) {
                    return row.id();
                }
            }
            long id = nextId++;
            rows.put(id, new LoggedFinding(id, finding, FindingStatus.FOUND, RepairAction.NONE, null, by, null, Instant.now(), null, null));
            return id;
        }

        @Override
        public List<LoggedFinding> openFor(String table, String key) {
            return rows.values().stream().filter(r -> r.status().open() && r.finding().table().equals(table) && r.finding().key().equals(key)).toList();
        }

        @Override
        public void requestRepair(Collection<Long> ids, String by) {
            ids.forEach(id -> update(id, FindingStatus.REPAIR_REQUESTED, null, null, null, null));
        }

        @Override
        public List<LoggedFinding> repairQueue(int limit) {
            return rows.values().stream().filter(r -> r.status() == FindingStatus.REPAIR_REQUESTED || r.status() == FindingStatus.REPAIRING)
                    .limit(limit).toList();
        }

        @Override
        public void repairing(long id, RepairAction action, String rule, String repairId) {
            if (refuseRepairing.contains(id)) {
                throw new IllegalStateException("finding #" + id + " was settled meanwhile");
            }
            update(id, FindingStatus.REPAIRING, action, rule, null, repairId);
        }

        final Map<Long, String> evidence = new HashMap<>();
        /** Findings a person settles just before their repair begins (the log refuses to start them). */
        final java.util.Set<Long> refuseRepairing = new java.util.HashSet<>();

        @Override
        public void recordEvidence(long id, String text) {
            evidence.put(id, text);
        }

        @Override
        public void repaired(long id) {
            update(id, FindingStatus.REPAIRED, null, null, null, null);
        }

        @Override
        public void waiting(long id, String rule, String reason) {
            update(id, FindingStatus.WAITING, null, rule, reason, null);
        }

        @Override
        public void cleared(long id, String reason) {
            update(id, FindingStatus.CLEARED, null, null, reason, null);
        }

        @Override
        public Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by) {
            LoggedFinding row = rows.get(id);
            if (row == null || !row.status().open()) {
                return Optional.empty();
            }
            update(id, takePostgres ? FindingStatus.REPAIR_REQUESTED : FindingStatus.RESOLVED, null, takePostgres ? RepairRules.PERSON : row.rule(),
                    reason, null);
            return Optional.of(rows.get(id));
        }

        @Override
        public Optional<LoggedFinding> finding(long id) {
            return Optional.ofNullable(rows.get(id));
        }

        @Override
        public List<LoggedFinding> findings(boolean openOnly, int limit) {
            return rows.values().stream().filter(r -> !openOnly || r.status().open()).limit(limit).toList();
        }

        List<FindingKind> kinds() {
            return rows.values().stream().map(r -> r.finding().kind()).toList();
        }

        private void update(long id, FindingStatus status, RepairAction action, String rule, String reason, String repairId) {
            LoggedFinding r = rows.get(id);
            rows.put(id, new LoggedFinding(id, r.finding(), status, action == null ? r.action() : action, rule == null ? r.rule() : rule,
                    r.decidedBy(), reason == null ? r.reason() : reason, r.detectedAt(), r.settledAt(), repairId == null ? r.repairId() : repairId));
        }
    }
}
