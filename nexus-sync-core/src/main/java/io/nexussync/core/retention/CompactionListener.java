package io.nexussync.core.retention;

/** Told of each transaction's removals, for metrics (the core knows no metrics library). Called from the compacting thread. */
public interface CompactionListener {
    CompactionListener NONE = new CompactionListener() {
        @Override
        public void removed(String type, long removed) {
        }

        @Override
        public void tombstonesRemoved(String label, long removed) {
        }
    };

    /** {@code removed} closed versions of relationship type {@code type} are gone (committed). */
    void removed(String type, long removed);

    /** {@code removed} tombstones of {@code label} are gone (committed). */
    void tombstonesRemoved(String label, long removed);
}
