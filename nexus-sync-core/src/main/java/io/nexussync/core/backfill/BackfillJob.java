package io.nexussync.core.backfill;

import io.nexussync.core.model.TableId;
import java.util.List;

/**
 * One request to re-read a table (or the rows of it that {@code where} selects) into the graph.
 *
 * @param where   a SQL condition on the table's columns, or null for every row
 * @param lastKey the key of the last row applied (its columns' text), or null when nothing is yet: where a resumed job goes on from
 */
public record BackfillJob(long id, TableId table, String where, List<String> lastKey, long rowsDone) {}
