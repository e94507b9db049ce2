package io.nexussync.core.history;

/** A history was asked of a table the mapping does not map as a temporal relationship; the message names those it does. */
public final class NotTemporal extends IllegalArgumentException {
    private final boolean known;

    NotTemporal(String message, boolean known) {
        super(message);
        this.known = known;
    }

    /** Whether the mapping maps the table at all (as nodes, or as a relationship without history). */
    public boolean known() {
        return known;
    }
}
