package io.nexussync.core.verify;

import static io.nexussync.core.verify.VerifyFakes.CONTENT;
import static io.nexussync.core.verify.VerifyFakes.CONTENT_TAGS;
import static io.nexussync.core.verify.VerifyFakes.MESSAGES;
import static io.nexussync.core.verify.VerifyFakes.OPEN;
import static io.nexussync.core.verify.VerifyFakes.THREADS;
import static io.nexussync.core.verify.VerifyFakes.THREAD_CONTENT;
import static io.nexussync.core.verify.VerifyFakes.uuid;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.verify.VerifyGraph.GraphNode;
import io.nexussync.core.verify.VerifyGraph.GraphPair;
import io.nexussync.core.verify.VerifyGraph.UnidentifiedNode;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifierTest {
    private static final int ITEMS = 2_500;
    private final Mapping mapping = MappingLoader.builtIn();
    private final NodeMapping content = mapping.node(CONTENT).orElseThrow();
    private final NodeMapping threads = mapping.node(THREADS).orElseThrow();
    private final NodeMapping messages = mapping.node(MESSAGES).orElseThrow();
    private final RelationshipMapping includes = mapping.relationship(THREAD_CONTENT).orElseThrow();
    private final RelationshipMapping tagged = mapping.relationship(CONTENT_TAGS).orElseThrow();
    private final VerifyFakes.Source source = new VerifyFakes.Source(mapping);
    private final VerifyFakes.Graph graph = new VerifyFakes.Graph();
    private final VerifyFakes.Stream stream = new VerifyFakes.Stream();
    private final VerifyFakes.Log log = new VerifyFakes.Log();
    private final ZonedDateTime since = ZonedDateTime.parse("2026-01-05T00:00:00Z");
    private Verifier verifier;

    @BeforeEach
    void bothSidesAgree() {
        for (int i = 1; i <= ITEMS; i++) {
            Map<String, Object> row = VerifyFakes.contentRow(i);
            source.put(CONTENT, row);
            graph.mirror(content, row).properties().put("relevanceWeight", 0.25);
        }
        for (int t = 5_001; t <= 5_003; t++) {
            source.put(THREADS, VerifyFakes.threadRow(t));
            graph.mirror(threads, VerifyFakes.threadRow(t));
            for (int m = 0; m < 3; m++) {
                Map<String, Object> message = VerifyFakes.messageRow(t * 10 + m, t);
                source.put(MESSAGES, message);
                graph.mirror(messages, message);
            }
            for (int c = 1; c <= 4; c++) {
                Map<String, Object> row = VerifyFakes.includesRow(t, c, 0.5);
                source.put(THREAD_CONTENT, row);
                graph.mirror(includes, row, since);
            }
        }
        for (int c = 1; c <= 5; c++) {
            source.put(CONTENT_TAGS, VerifyFakes.taggedRow(c, 7_001));
            graph.mirror(tagged, VerifyFakes.taggedRow(c, 7_001), null);
        }
        verifier = new Verifier(mapping, source, graph, stream, log, Clock.systemUTC(), Verifier.Settings.DEFAULTS);
    }

    private VerifyReport verify() throws InterruptedException {
        return verifier.run(new Verifier.Request(null, false, false, "test"));
    }

    @Test
    void sidesThatAgreeAreReadInRangesAndNothingIsLookedIntoOrLogged() throws InterruptedException {
        VerifyReport report = verify();

        assertThat(report.agrees()).isTrue();
        VerifyReport.SubjectResult items = report.subjects().get(0);
        assertThat(items.rows()).isEqualTo(ITEMS);
        assertThat(items.graphEntities()).isEqualTo(ITEMS);
        assertThat(items.ranges()).isEqualTo(3); // 2,500 keys, 1,000 per range
        assertThat(items.differingRanges()).isZero();
        assertThat(source.reads).as("no check by key when no range differs").isZero();
        assertThat(log.rows).isEmpty();
    }

    @Test
    void graphOnlyPropertiesAndTheTimeOfTheLastWriteAreNeverCompared() throws InterruptedException {
        graph.node("ContentItem", uuid(7)).properties().put("relevanceWeight", 99.0);
        graph.node("ContentItem", uuid(8)).properties().put("lastSyncedAt", ZonedDateTime.now().plusDays(3));

        assertThat(verify().agrees()).isTrue();
    }

    @Test
    void aDateTimeComparesByInstantWhateverItsOffset() throws InterruptedException {
        GraphNode node = graph.node("ContentItem", uuid(9));
        ZonedDateTime created = (ZonedDateTime) node.properties().get("createdAt");
        node.properties().put("createdAt", created.withZoneSameInstant(java.time.ZoneOffset.ofHours(-7)));

        assertThat(verify().agrees()).isTrue();
    }

    @Test
    void eachKindOfNodeDriftIsFoundOnceAndOnlyIt() throws InterruptedException {
        graph.nodes.get("ContentItem").remove(uuid(10));                                     // missing
        graph.mirror(content, VerifyFakes.contentRow(9_999));                                // stray (no row)
        graph.node("ContentItem", uuid(11)).properties().put("title", "edited in the graph"); // differs
        graph.node("ContentItem", uuid(12)).properties().remove("accessLevel");             // missing property
        graph.node("ContentItem", uuid(13)).properties().put("body", "a secret body");            // PG-only property set
        graph.node("ContentItem", uuid(14)).properties().put("viewCount", 14.0);            // same number, other type
        graph.node("ContentItem", uuid(15)).properties().put("pgId", uuid(16));             // pgId
        GraphNode moved = graph.node("ContentItem", uuid(17));                              // elementId moved
        graph.nodes.get("ContentItem").put(uuid(17), new GraphNode(moved.id(), "4:e:other", moved.properties(), moved.parents()));
        graph.unidentified.put("ContentItem", List.of(new UnidentifiedNode("4:x:1", Set.of("title"))));

        VerifyReport report = verify();

        assertThat(report.agrees()).isFalse();
        Map<String, FindingKind> byKey = new HashMap<>();
        report.findings().forEach(f -> byKey.put(f.finding().key() + "/" + f.finding().kind(), f.finding().kind()));
        assertThat(byKey.keySet()).containsExactlyInAnyOrder(
                uuid(10) + "/NODE_MISSING", uuid(9_999) + "/NODE_STRAY", uuid(11) + "/PROPERTY_DIFFERS", uuid(12) + "/PROPERTY_MISSING",
                uuid(13) + "/PROPERTY_EXTRA", uuid(14) + "/PROPERTY_DIFFERS", uuid(15) + "/PG_ID_DIFFERS", uuid(17) + "/CROSS_REFERENCE_DIFFERS",
                "4:x:1/NODE_UNIDENTIFIED");
        assertThat(report.findings()).filteredOn(f -> f.finding().key().equals(uuid(11))).singleElement()
                .satisfies(f -> assertThat(f.finding().properties()).containsExactly("title"));
        assertThat(report.findings()).allSatisfy(f -> assertThat(f.finding().describe()).doesNotContain("edited in the graph", "a secret body"));
        assertThat(report.subjects().get(0).differingRanges()).as("only the ranges that differ are looked into").isLessThan(3);
        assertThat(log.rows).hasSize(9);
    }

    /**
     * A graph that does not write back (sync.write-back off) is one of several: every row's neo4j_node_id is another graph's
     * elementId, which must not count, while everything else still does (pgId included).
     */
    @Test
    void aVerifierWithoutCrossReferencesIgnoresAnotherGraphsElementIdsAndStillFindsTheRest() throws InterruptedException {
        for (String key : new ArrayList<>(graph.nodes.get("ContentItem").keySet())) {
            GraphNode node = graph.node("ContentItem", key);
            graph.nodes.get("ContentItem").put(key, new GraphNode(node.id(), "4:graph-2:" + key, node.properties(), node.parents()));
        }
        graph.node("ContentItem", uuid(15)).properties().put("pgId", uuid(16));
        assertThat(verify().findings()).as("the same graph checked with cross-references")
                .filteredOn(f -> f.finding().kind() == FindingKind.CROSS_REFERENCE_DIFFERS).isNotEmpty();
        log.rows.clear();

        verifier = verifier.withoutCrossReferences();
        VerifyReport report = verify();

        assertThat(report.findings()).extracting(f -> f.finding().key() + "/" + f.finding().kind()).containsExactly(uuid(15) + "/PG_ID_DIFFERS");
    }

    /** Neo4j reads committed data: a node deleted while the query passes it can show with no properties, as if without identity. */
    @Test
    void aNodeSeenWithoutIdentityOnlyOnceIsNoFinding() throws InterruptedException {
        List<List<UnidentifiedNode>> reads = new ArrayList<>(List.of(List.of(new UnidentifiedNode("4:x:deleted", Set.of())), List.of()));
        VerifyFakes.Graph deleting = new VerifyFakes.Graph() {
            @Override
            public List<UnidentifiedNode> unidentified(NodeMapping mapping, int limit) {
                return mapping.label().equals("ContentItem") && !reads.isEmpty() ? reads.remove(0) : List.of();
            }
        };
        deleting.nodes.putAll(graph.nodes);
        deleting.pairs.putAll(graph.pairs);
        verifier = new Verifier(mapping, source, deleting, stream, log, Clock.systemUTC(), Verifier.Settings.DEFAULTS);

        assertThat(verify().agrees()).isTrue();
    }

    @Test
    void foreignKeyRelationshipsMissingWrongAndDoubledAreFound() throws InterruptedException {
        graph.node("Message", uuid(50_010)).parents().get(0).clear();                 // missing
        graph.node("Message", uuid(50_011)).parents().get(0).set(0, uuid(5_002));      // wrong parent
        graph.node("Message", uuid(50_012)).parents().get(0).add(uuid(5_001));         // doubled

        assertThat(kinds(verify())).containsExactlyInAnyOrder(FindingKind.LINK_MISSING, FindingKind.LINK_EXTRA, FindingKind.LINK_DUPLICATED);
    }

    @Test
    void joinRelationshipsMissingExtraDoubledAndEditedAreFound() throws InterruptedException {
        graph.pairs.get("TAGGED_WITH").remove(EntityKeys.pair(uuid(1), uuid(7_001)));                     // missing
        graph.mirror(tagged, VerifyFakes.taggedRow(9, 7_001), null);                                      // extra
        GraphPair doubled = graph.pair("TAGGED_WITH", EntityKeys.pair(uuid(2), uuid(7_001)));
        doubled.relationships().add(new HashMap<>(doubled.relationships().get(0)));                      // doubled
        graph.pair("TAGGED_WITH", EntityKeys.pair(uuid(3), uuid(7_001))).relationships().get(0).put("weight", 9.0); // edited

        assertThat(kinds(verify())).containsExactlyInAnyOrder(FindingKind.RELATIONSHIP_MISSING, FindingKind.RELATIONSHIP_EXTRA,
                FindingKind.RELATIONSHIP_DUPLICATED, FindingKind.RELATIONSHIP_PROPERTY_DIFFERS);
    }

    @Test
    void aRelationshipMovedToAnotherPairWithTheSameValuesIsFoundThoughNothingElseInItsRangeDiffers() throws InterruptedException {
        // The join rows of one tag carry equal values: only the pair tells them apart, so a range's digest must cover it.
        graph.pairs.get("TAGGED_WITH").remove(EntityKeys.pair(uuid(1), uuid(7_001)));
        graph.mirror(tagged, VerifyFakes.taggedRow(9, 7_001), null);

        assertThat(kinds(verify())).containsExactlyInAnyOrder(FindingKind.RELATIONSHIP_MISSING, FindingKind.RELATIONSHIP_EXTRA);
    }

    @Test
    void aTemporalRelationshipsCurrentVersionAndHistoryAreChecked() throws InterruptedException {
        String edited = EntityKeys.pair(uuid(5_001), uuid(1));
        graph.pair("INCLUDES", edited).relationships().get(0).put("relevanceScore", 0.9);                 // current differs
        String severalOpen = EntityKeys.pair(uuid(5_001), uuid(2));
        addVersion(severalOpen, since.plusDays(1), OPEN);                                                   // two open
        String inverted = EntityKeys.pair(uuid(5_001), uuid(3));
        addVersion(inverted, since.minusDays(1), since.minusDays(2));                                       // ends before it begins
        String overlap = EntityKeys.pair(uuid(5_001), uuid(4));
        addVersion(overlap, since.minusDays(3), since.plusDays(1));                                          // overlaps the open one
        String gone = EntityKeys.pair(uuid(5_002), uuid(1));
        source.remove(THREAD_CONTENT, gone);                                                                 // open after delete
        String closedHistoryOnly = EntityKeys.pair(uuid(5_002), uuid(2));
        source.remove(THREAD_CONTENT, closedHistoryOnly);
        graph.pair("INCLUDES", closedHistoryOnly).relationships().get(0).put("validTo", since.plusDays(1)); // closed: history, fine

        VerifyReport report = verify();

        Map<String, List<FindingKind>> byPair = new HashMap<>();
        report.findings().forEach(f -> byPair.computeIfAbsent(f.finding().key(), k -> new ArrayList<>()).add(f.finding().kind()));
        assertThat(byPair).containsOnlyKeys(edited, severalOpen, inverted, overlap, gone);
        assertThat(byPair.get(edited)).containsExactly(FindingKind.RELATIONSHIP_PROPERTY_DIFFERS);
        assertThat(byPair.get(severalOpen)).contains(FindingKind.HISTORY_SEVERAL_OPEN);
        assertThat(byPair.get(inverted)).containsExactly(FindingKind.HISTORY_INVERTED);
        assertThat(byPair.get(overlap)).containsExactly(FindingKind.HISTORY_OVERLAP);
        assertThat(byPair.get(gone)).containsExactly(FindingKind.HISTORY_OPEN_AFTER_DELETE);
    }

    @Test
    void aDifferenceTheStreamSettlesBeforeTheCheckByKeyIsNoFinding() throws InterruptedException {
        graph.node("ContentItem", uuid(20)).properties().put("title", "stale: the stream has not applied it yet");
        // The stream applies it while verify waits for the stream to pass the position it read at.
        source.beforeRead = read -> graph.mirror(content, source.tables.get(CONTENT).get(uuid(20)));

        VerifyReport report = verify();

        assertThat(report.agrees()).isTrue();
        assertThat(stream.waitedFor).isNotEmpty();
        assertThat(log.rows).isEmpty();
    }

    @Test
    void aRowThatChangesBetweenTheTwoReadsIsCheckedAgainNotReported() throws InterruptedException {
        graph.node("ContentItem", uuid(21)).properties().put("title", "old");
        // Round 1: the row changes between the reads (and the stream mirrors it); round 2: stable and equal.
        source.beforeRead = read -> {
            if (read == 2) {
                Map<String, Object> changed = VerifyFakes.contentRow(21);
                changed.put("title", "new");
                changed.put("pg_version", 4L);
                source.put(CONTENT, changed);
                graph.mirror(content, changed);
            }
        };

        VerifyReport report = verify();

        assertThat(report.agrees()).isTrue();
        assertThat(source.reads).isEqualTo(4);
    }

    /** VerifyUnderLoadIT's false alarm: a join row inserted again and deleted again between the two reads of a round. */
    @Test
    void aRowThatChangesAndChangesBackBetweenTheReadsIsNoFindingOutsideTheService() throws InterruptedException {
        String churned = EntityKeys.pair(uuid(5_003), uuid(4));
        source.remove(THREAD_CONTENT, churned);
        Map<String, Object> open = graph.pair("INCLUDES", churned).relationships().get(0);
        // Both reads of round 1 say "no row"; the graph, read between them, shows the version the row's return opened;
        // the stream closes it (the row went again) before the second read.
        source.beforeRead = read -> {
            if (read == 2) {
                open.put("validTo", since.plusDays(1));
            }
        };

        VerifyReport report = verify();

        assertThat(report.findingCount()).as("a difference seen in one round only, outside the service, is asked again").isZero();
        assertThat(report.agrees()).isTrue();
    }

    @Test
    void withTheStreamsWitnessAKeyItSawChangeIsCheckedAgainAndAStillOneIsConfirmedInOneRound() throws InterruptedException {
        String churned = EntityKeys.pair(uuid(5_003), uuid(4));
        graph.pair("INCLUDES", churned).relationships().get(0).put("relevanceScore", 0.75); // as read while the row changed
        graph.node("ContentItem", uuid(30)).properties().put("title", "real drift");
        int[] watches = {0};
        ChangeWitness witness = table -> {
            boolean firstIncludesRound = table.equals(THREAD_CONTENT) && ++watches[0] == 1;
            if (table.equals(THREAD_CONTENT) && !firstIncludesRound) {
                graph.pair("INCLUDES", churned).relationships().get(0).put("relevanceScore", 0.5); // the stream caught up
            }
            return timeout -> firstIncludesRound ? Set.of(churned) : Set.of();
        };
        verifier = new Verifier(mapping, source, graph, stream, log, Clock.systemUTC(), Verifier.Settings.DEFAULTS, witness);

        VerifyReport report = verify();

        assertThat(report.findings()).extracting(f -> f.finding().kind() + " " + f.finding().key())
                .containsExactly(FindingKind.PROPERTY_DIFFERS + " " + uuid(30));
        assertThat(watches[0]).isEqualTo(2);
    }

    @Test
    void aGraphShowingOneOfTheStatesAChangingRowHadIsTheStreamAtWorkNotAFinding() throws InterruptedException {
        GraphNode behind = graph.node("ContentItem", uuid(29));
        behind.properties().put("title", "stale when the range was read");
        source.beforeRead = read -> {
            if (read == 1) {
                graph.mirror(content, source.tables.get(CONTENT).get(uuid(29))); // the stream applies the row as read first
            }
            if (read == 2) {
                Map<String, Object> changed = VerifyFakes.contentRow(29);
                changed.put("title", "changed again");
                source.put(CONTENT, changed);
            }
        };

        VerifyReport report = verify();

        assertThat(report.agrees()).isTrue();
        assertThat(source.reads).as("settled in one round").isEqualTo(2);
    }

    @Test
    void aRowThatNeverHoldsStillIsUnsettledNotAFinding() throws InterruptedException {
        graph.node("ContentItem", uuid(22)).properties().put("title", "old");
        source.beforeRead = read -> {
            Map<String, Object> changed = VerifyFakes.contentRow(22);
            changed.put("title", "v" + read);
            source.put(CONTENT, changed);
        };

        VerifyReport report = verify();

        assertThat(report.findingCount()).isZero();
        assertThat(report.unsettled()).isEqualTo(1);
        assertThat(report.agrees()).isFalse();
    }

    @Test
    void whenTheStreamDoesNotPassTheReadPositionNothingIsReportedAndNothingAgrees() throws InterruptedException {
        graph.node("ContentItem", uuid(23)).properties().put("title", "drift");
        stream.passes = false;

        VerifyReport report = verify();

        assertThat(report.findingCount()).isZero();
        assertThat(report.unconfirmed()).isEqualTo(1);
        assertThat(report.agrees()).isFalse();
    }

    @Test
    void aDryRunLogsNothing() throws InterruptedException {
        graph.nodes.get("ContentItem").remove(uuid(24));

        VerifyReport report = verifier.run(new Verifier.Request(null, true, true, "test"));

        assertThat(report.findingCount()).isEqualTo(1);
        assertThat(report.planned()).singleElement().satisfies(d -> assertThat(d.action()).isEqualTo(RepairAction.REFRESH_FROM_ROW));
        assertThat(log.rows).isEmpty();
    }

    @Test
    void withRepairEachFindingIsQueuedByItsRuleOrWaitsForAPerson() throws InterruptedException {
        graph.nodes.get("ContentItem").remove(uuid(25));
        addVersion(EntityKeys.pair(uuid(5_003), uuid(1)), since.plusDays(1), OPEN);

        verifier.run(new Verifier.Request(null, true, false, "test"));

        assertThat(log.rows.values()).extracting(r -> r.finding().kind() + " " + r.status())
                .containsExactlyInAnyOrder("NODE_MISSING REPAIR_REQUESTED", "HISTORY_SEVERAL_OPEN WAITING");
        assertThat(log.rows.values()).filteredOn(r -> r.status() == FindingStatus.WAITING).singleElement()
                .satisfies(r -> assertThat(r.rule()).isEqualTo(RepairRules.HISTORY_HAS_NO_SECOND_SOURCE));
    }

    @Test
    void findingTheSameDiscrepancyAgainUpdatesItsOpenRow() throws InterruptedException {
        graph.nodes.get("ContentItem").remove(uuid(26));

        verify();
        verify();

        assertThat(log.rows).hasSize(1);
    }

    @Test
    void oneEntityIsCheckedByKey() throws InterruptedException {
        graph.node("ContentItem", uuid(27)).properties().put("title", "drift");

        VerifyReport drifted = verifier.checkEntity(new Verifier.Request(CONTENT, false, false, "test"), uuid(27));
        VerifyReport fine = verifier.checkEntity(new Verifier.Request(CONTENT, false, false, "test"), uuid(28));

        assertThat(kinds(drifted)).containsExactly(FindingKind.PROPERTY_DIFFERS);
        assertThat(fine.agrees()).isTrue();
    }

    private void addVersion(String pairKey, ZonedDateTime from, ZonedDateTime to) {
        GraphPair pair = graph.pair("INCLUDES", pairKey);
        Map<String, Object> version = new HashMap<>(pair.relationships().get(0));
        version.put("validFrom", from);
        version.put("validTo", to);
        pair.relationships().add(version);
    }

    private static List<FindingKind> kinds(VerifyReport report) {
        return report.findings().stream().map(f -> f.finding().kind()).toList();
    }
}
