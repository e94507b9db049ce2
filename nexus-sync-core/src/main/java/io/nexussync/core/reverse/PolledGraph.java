package io.nexussync.core.reverse;

import java.util.List;
import java.util.Map;

/** The polling fallback's read of the graph (no plugin): nodes a graph writer marked edited by raising their graph version. */
public interface PolledGraph {

    /** A node's identity, row version, graph version and flowing properties. */
    record NodeState(String id, String elementId, Long pgVersion, long graphVersion, Map<String, Object> properties) {}

    /** Nodes of the label with a graph version above 0 and an identity after {@code afterId} (null: from the start), in identity order. */
    List<NodeState> nodesWithGraphVersion(ReverseCatalog.NodeRules rules, String afterId, int limit);
}
