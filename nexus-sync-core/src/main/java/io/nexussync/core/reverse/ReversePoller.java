package io.nexussync.core.reverse;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse sync without the plugin: a graph writer that edits a mapped node raises its graph version ({@code neo4jVersion});
 * each pass finds the nodes whose graph version is ahead of their row's and applies their flowing properties as edits
 * whose earlier values are unknown (a property PostgreSQL changed meanwhile is a conflict). Property edits only: a poll
 * cannot see nodes created or deleted, nor relationships. Each edit is guarded by the graph version the row records, so
 * a pass repeated after a crash changes nothing.
 */
public final class ReversePoller {
    private final ReverseCatalog catalog;
    private final PolledGraph graph;
    private final ReverseStore store;
    private final ReverseListener listener;
    private final Clock clock;
    private final int pageSize;
    private final ReverseDecisions decisions;

    public ReversePoller(ReverseCatalog catalog, PolledGraph graph, ReverseStore store, ReverseListener listener, Clock clock, int pageSize) {
        this.catalog = catalog;
        this.graph = graph;
        this.store = store;
        this.listener = listener;
        this.clock = clock;
        this.pageSize = pageSize;
        this.decisions = new ReverseDecisions(catalog);
    }

    /** @return how many nodes were found ahead of their rows and applied */
    public int pollOnce() {
        int applied = 0;
        for (ReverseCatalog.NodeRules rules : catalog.nodes()) {
            if (rules.graphVersionProperty() == null) {
                continue;
            }
            String after = null;
            while (true) {
                List<PolledGraph.NodeState> page = graph.nodesWithGraphVersion(rules, after, pageSize);
                if (page.isEmpty()) {
                    break;
                }
                applied += applyAhead(rules, page);
                after = page.get(page.size() - 1).id();
                if (page.size() < pageSize) {
                    break;
                }
            }
        }
        return applied;
    }

    private int applyAhead(ReverseCatalog.NodeRules rules, List<PolledGraph.NodeState> page) {
        Map<RowRef, PolledGraph.NodeState> byRow = new LinkedHashMap<>();
        for (PolledGraph.NodeState node : page) {
            byRow.put(rules.row(node.id()), node);
        }
        Map<RowRef, Long> rowVersions = store.graphVersions(byRow.keySet());
        List<EntityEdit> edits = new ArrayList<>();
        byRow.forEach((row, node) -> {
            Long rowVersion = rowVersions.get(row);
            if (rowVersion != null && node.graphVersion() > rowVersion) {
                Map<String, PropertyChange> changes = new LinkedHashMap<>();
                for (String property : rules.properties()) {
                    changes.put(property, new PropertyChange(PropertyChange.UNKNOWN, node.properties().get(property)));
                }
                edits.add(new EntityEdit.NodeUpdated(rules.label(), node.id(), node.elementId(), node.pgVersion(), rowVersion,
                        node.graphVersion(), changes));
            }
        });
        if (edits.isEmpty()) {
            return 0;
        }
        // A poll knows no commit time of the graph's edit: the time it saw it stands in for last-writer-wins.
        GraphEdit polled = new GraphEdit(0, clock.instant(), edits);
        ReverseBatch batch = store.apply(List.of(polled), decisions, false);
        listener.applied(List.of(polled), batch, clock.instant());
        return edits.size();
    }
}
