package io.nexussync.app.components;

/**
 * What a cross-reference refresh did.
 *
 * @param rowsWithoutNode rows whose node the graph does not have (not yet streamed, or lost: a verify says which)
 */
public record CrossReferenceReport(long rowsChecked, long rewritten, long rowsWithoutNode) {}
