package io.nexussync.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.RowChangeExamples;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void shouldSizeEveryKindOfChange() {
        for (RowChange change : RowChangeExamples.oneOfEach(TableId.parse("content_items"), Map.of("id", "1", "title", "t"), Map.of("id", "1"))) {
            assertThat(Sizes.of(new SourceChange(change, Lsn.valueOf("0/1000"), Instant.EPOCH))).as(change.toString()).isPositive();
        }
    }
}
