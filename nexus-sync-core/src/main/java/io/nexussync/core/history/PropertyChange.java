package io.nexussync.core.history;

/** A property's value before and after a change; null where the version did not hold the property. */
public record PropertyChange(Object before, Object after) {}
