package io.nexussync.core.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.apply.ConsumedOffsets.PartitionRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumedOffsetsTest {

    @Test
    void shouldKeepEachPartitionsRangeAndFindItByTopicAndPartition() {
        List<PartitionRange> given = new ArrayList<>(List.of(new PartitionRange("changes", 0, 0, 3), new PartitionRange("changes", 1, 7, 8),
                new PartitionRange("critical", 0, 5, 6)));
        ConsumedOffsets offsets = new ConsumedOffsets("graph-a", given);
        given.clear();

        assertThat(offsets.ranges()).as("a copy, not the caller's list").hasSize(3);
        assertThat(offsets.range("changes", 1)).isEqualTo(new PartitionRange("changes", 1, 7, 8));
        assertThat(offsets.range("critical", 0).count()).isEqualTo(1);
        assertThat(offsets.range("critical", 1)).isNull();
        assertThat(offsets.range("other", 0)).isNull();
    }

    @Test
    void shouldRefuseARangeThatDoesNotEndAfterItStarts() {
        assertThatThrownBy(() -> new PartitionRange("changes", 2, 5, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic 'changes' partition 2").hasMessageContaining("from 5, next 5").hasMessageContaining("at least from + 1");
        assertThatThrownBy(() -> new PartitionRange("changes", 2, 5, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must end after it starts");
        assertThat(new PartitionRange("changes", 2, 0, 1).count()).isEqualTo(1);
    }

    @Test
    void shouldRefuseANegativeOffsetOrPartitionAndABlankTopic() {
        assertThatThrownBy(() -> new PartitionRange("changes", 0, -1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot start at offset -1");
        assertThatThrownBy(() -> new PartitionRange("changes", -1, 0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no partition -1");
        assertThatThrownBy(() -> new PartitionRange(" ", 0, 0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs the topic");
        assertThatThrownBy(() -> new PartitionRange(null, 0, 0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs the topic");
    }

    @Test
    void shouldRefuseABlankGroupNoRangesOrOnePartitionTwice() {
        PartitionRange range = new PartitionRange("changes", 0, 0, 3);
        assertThatThrownBy(() -> ConsumedOffsets.of("", range)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group.id");
        assertThatThrownBy(() -> ConsumedOffsets.of(null, range)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group.id");
        assertThatThrownBy(() -> ConsumedOffsets.of("graph-a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name no partition");
        assertThatThrownBy(() -> new ConsumedOffsets("graph-a", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name no partition");
        assertThatThrownBy(() -> ConsumedOffsets.of("graph-a", range, new PartitionRange("changes", 0, 3, 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic 'changes' partition 0 twice");
        assertThat(ConsumedOffsets.of("graph-a", range, new PartitionRange("changes", 1, 3, 9), new PartitionRange("critical", 0, 3, 9)).ranges())
                .as("one partition number on two topics is two partitions").hasSize(3);
    }

    @Test
    void shouldNameWhereTheGraphStandsWhenOffsetsMoved() {
        OffsetsMovedException ahead = new OffsetsMovedException("graph-a", "changes", 3, 10, 12);
        assertThat(ahead.isRetryable()).isFalse();
        assertThat(ahead.rejectsData()).as("not about a row: the consumer seeks, nothing is dead-lettered").isFalse();
        assertThat(ahead.found()).isEqualTo(12);
        assertThat(ahead.expected()).isEqualTo(10);
        assertThat(ahead.getMessage()).contains("consumer group 'graph-a'", "next offset 12", "topic 'changes' partition 3", "not 10",
                "another consumer applied those records", "nothing of the batch was written", "seek");
        assertThat(ahead.publicMessage()).isEqualTo(ahead.getMessage());
        assertThat(new OffsetsMovedException("graph-a", "changes", 3, 10, 8).getMessage()).contains("the batch skipped records");
    }
}
