package io.nexussync.postgres.pgoutput;

/**
 * A non-built-in type (enum, domain, composite...) named by a Type message before the first
 * Relation that uses it. Values of such types still arrive as text.
 */
public record TypeDescriptor(int oid, String namespace, String name) {}
