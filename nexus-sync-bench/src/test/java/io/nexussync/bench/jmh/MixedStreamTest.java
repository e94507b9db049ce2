package io.nexussync.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.mapping.MappingLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixedStreamTest {

    @Test
    void shouldDecodeIntoTheRequestedNumberOfMixedChangesThatThePlannerTakes() {
        List<SourceChange> changes = MixedStream.changes(5_000, 42);

        assertThat(changes).hasSize(5_000);
        assertThat(changes).anyMatch(c -> c.change() instanceof RowChange.Insert)
                .anyMatch(c -> c.change() instanceof RowChange.Update)
                .anyMatch(c -> c.change() instanceof RowChange.Delete);
        assertThat(changes.stream().map(c -> c.change() instanceof RowChange.Insert i ? i.table().name() : "").distinct())
                .contains("content_items", "threads", "messages", "tags", "thread_content", "content_tags");
        assertThat(new GraphPlanner(MappingLoader.builtIn()).plan(changes).steps()).isNotEmpty();
    }
}
