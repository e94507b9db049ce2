package io.nexussync.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RowChangeDispatchTest {
    private static final TableId ITEMS = TableId.parse("content_items");

    @Test
    void shouldKnowTheTableOfEveryKindOfChangeThatHasOne() {
        for (RowChange change : RowChangeExamples.oneOfEach(ITEMS, Map.of("id", "1"), Map.of("id", "1"))) {
            assertThat(RowChange.tableOf(change)).as(change.toString()).isEqualTo(change instanceof RowChange.Truncate ? null : ITEMS);
        }
    }
}
