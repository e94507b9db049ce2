package io.nexussync.core.verify;

import java.util.Locale;

/** Where a logged finding stands. */
public enum FindingStatus {
    /** Found; nobody asked for a repair. */
    FOUND,
    /** A repair was asked for (by {@code verify --repair}, the schedule, or a person's resolution): the service carries it out. */
    REPAIR_REQUESTED,
    /** The service began the repair (a crash here is finished by the next run). */
    REPAIRING,
    REPAIRED,
    /** No rule settles it: waits for {@code verify resolve}. */
    WAITING,
    /** A person took the graph's side: nothing was written. */
    RESOLVED,
    /** Checked again and the two sides agreed (the stream, or a repair before a crash, settled it). */
    CLEARED;

    public String external() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static FindingStatus fromExternal(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public boolean open() {
        return this == FOUND || this == REPAIR_REQUESTED || this == REPAIRING || this == WAITING;
    }
}
