package io.nexussync.core.acknowledge;

import io.nexussync.core.mapping.NodeMapping;

/** A node's elementId to be written back into its row's cross-reference column. */
public record CrossReference(NodeMapping mapping, String id, String elementId) {}
