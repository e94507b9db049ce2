package io.nexussync.core.mapping;

import io.nexussync.core.model.TableId;
import java.util.List;
import java.util.Map;

/**
 * A mapping file as read: the mapping of every entry that could be bound (names not yet valid are kept,
 * so that checks against the database can still run on them), every problem found, and the line of
 * each table entry and of each column it names, for problems found later. Use {@link #mapping()} only
 * when {@link #problems()} is empty; {@link #orThrow()} says so.
 */
public record MappingDocument(String source, Mapping mapping, List<MappingProblem> problems, Map<String, Integer> lines) {

    public Mapping orThrow() {
        if (!problems.isEmpty()) {
            throw new MappingException(problems, source);
        }
        return mapping;
    }

    /** The line of the table's entry, or 0. */
    public int line(TableId table) {
        return lines.getOrDefault(table.toString(), 0);
    }

    /** The line where the table's entry first names {@code column}, else the entry's line. */
    public int line(TableId table, String column) {
        return lines.getOrDefault(table + "#" + column, line(table));
    }

    /** The line of one of the entry's settings ({@code key}, {@code label}, {@code version}...), else the entry's line. */
    public int settingLine(TableId table, String setting) {
        return lines.getOrDefault(table + "@" + setting, line(table));
    }
}
