package io.nexussync.core.history;

import io.nexussync.core.mapping.RelationshipMapping;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * PostgreSQL's side of a restore (port): in one transaction, lock a start node and its rows of a temporal relationship's
 * table, let the caller plan from them, check the plan can be written, and write it as ordinary DML (or, on a dry run, roll
 * back). The only place a restore writes; the stream then mirrors the change into the graph as new versions.
 */
public interface SystemOfRecord {

    /**
     * @param planner from the restored property names and the start node's rows now, the plan
     * @param write   false: a dry run, nothing is written
     * @return the plan, written when {@code write}
     * @throws RestoreRefused before anything is written, when the plan cannot be (naming the item and what to do)
     */
    RestorePlan restore(RelationshipMapping relationship, String fromId, BiFunction<Set<String>, List<RestorePlan.CurrentRow>, RestorePlan> planner,
                        boolean write);
}
