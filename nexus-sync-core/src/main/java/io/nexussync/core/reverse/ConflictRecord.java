package io.nexussync.core.reverse;

import io.nexussync.core.mapping.ConflictRule;
import java.time.Instant;

/**
 * One conflict and its decision, for {@code nexus_sync.conflict_log}: a property both sides changed since the graph
 * edit's base (or an entity one side deleted while the other changed it, or a graph edit PostgreSQL refused), with
 * both versions and both values.
 *
 * @param property      the column, or null for the entity as a whole (existence)
 * @param decision      which side's state the row holds now ({@link Side#WAITING}: PostgreSQL's, until a person decides)
 * @param postgresValue the row's value as text (null: none, or the row is gone)
 * @param graphValue    the graph's proposed value as text
 * @param reason        why it was decided so, in words
 */
public record ConflictRecord(RowRef row, String entity, Kind kind, String property, ConflictRule rule, Side decision,
                             Long rowPgVersion, Long rowGraphVersion, Long basePgVersion, Long graphVersion,
                             String postgresValue, String graphValue, Instant postgresCommittedAt, Instant graphCommittedAt,
                             long outboxSeq, String reason) {

    /** What the two sides disagreed on. */
    public enum Kind {
        /** a property both changed; {@code conflicts resolve --take graph} writes the graph's value */
        PROPERTY("property"),
        /** the graph deleted what PostgreSQL changed; {@code --take graph} deletes the row */
        DELETE("delete"),
        /** existence: the graph edited or made what PostgreSQL deleted or already had, or the mapping refuses it */
        EXISTENCE("existence"),
        /** PostgreSQL refused the graph's change (a constraint, a value the column cannot hold) */
        REFUSED("refused");

        private final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }
    }

    /** Which side a conflict went to. */
    public enum Side {
        GRAPH("graph"), POSTGRES("postgres"), WAITING("waiting");

        private final String spelling;

        Side(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }
    }
}
