package io.nexussync.core.model;

/**
 * The value of a column that PostgreSQL did not send because it is TOASTed and the UPDATE did not
 * change it. It means "keep what you have": it must never be written as null.
 */
public enum Unchanged {
    TOAST;

    @Override
    public String toString() {
        return "<unchanged toast>";
    }
}
