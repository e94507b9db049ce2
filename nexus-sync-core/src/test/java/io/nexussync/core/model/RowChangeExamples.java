package io.nexussync.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row change of every kind {@link RowChange} permits, for the tests that check each {@code instanceof} chain over
 * them handles every kind: a kind added later fails {@link #oneOfEach} until it has an example here, and then every
 * chain that forgot it fails its test.
 */
public final class RowChangeExamples {
    private RowChangeExamples() {}

    /** @param row a whole row of {@code table}, its key included */
    public static List<RowChange> oneOfEach(TableId table, Map<String, Object> row, Map<String, Object> key) {
        Map<Class<?>, RowChange> examples = new LinkedHashMap<>();
        examples.put(RowChange.Insert.class, new RowChange.Insert(table, row));
        examples.put(RowChange.Update.class, new RowChange.Update(table, key, row));
        examples.put(RowChange.Delete.class, new RowChange.Delete(table, key));
        examples.put(RowChange.Truncate.class, new RowChange.Truncate(List.of(table), false, false));
        assertThat(examples.keySet()).as("an example of every kind of row change")
                .containsExactlyInAnyOrder(RowChange.class.getPermittedSubclasses());
        return List.copyOf(examples.values());
    }
}
