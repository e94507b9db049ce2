package io.nexussync.core.history;

import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.util.List;

/**
 * The graph's side of history (port): the versions of a temporal relationship's pairs for one start node. Reads only;
 * safe to call from several threads at once.
 */
public interface TemporalGraph {

    /** The versions valid at {@code at} ({@code validFrom <= at < validTo}), at most one per pair in a well-formed history. */
    List<TemporalVersion> validAt(RelationshipMapping relationship, String fromId, Instant at);

    /** Every version valid at some instant in {@code [from, to]} or ending exactly at {@code from}: what {@link ChangeDerivation} needs. */
    List<TemporalVersion> overlapping(RelationshipMapping relationship, String fromId, Instant from, Instant to);
}
