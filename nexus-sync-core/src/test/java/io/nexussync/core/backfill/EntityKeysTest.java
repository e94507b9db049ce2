package io.nexussync.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.RowChangeExamples;
import io.nexussync.core.model.TableId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntityKeysTest {

    @Test
    void shouldSayWhatEveryKindOfChangeTouches() {
        EntityKeys keys = new EntityKeys(MappingLoader.builtIn());
        for (RowChange change : RowChangeExamples.oneOfEach(TableId.parse("content_items"), Map.of("id", "1"), Map.of("id", "1"))) {
            assertThat(keys.touchedBy(change)).as(change.toString()).hasSize(change instanceof RowChange.Truncate ? 0 : 1);
        }
    }
}
