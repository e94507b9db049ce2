package io.nexussync.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Column values as a dead letter shows them whole and the transaction log shows them bounded. */
class ReadableValueTest {

    @Test
    void shouldShowEachKindOfValueAsAPersonReadsIt() {
        assertThat(ReadableValue.of(null, ReadableValue.WHOLE)).isNull();
        assertThat(ReadableValue.of(42L, ReadableValue.WHOLE)).isEqualTo(42L);
        assertThat(ReadableValue.of(true, ReadableValue.WHOLE)).isEqualTo(true);
        assertThat(ReadableValue.of(Unchanged.TOAST, ReadableValue.WHOLE)).isEqualTo("(unchanged TOAST value)");
        assertThat(ReadableValue.of(new byte[] {(byte) 0xca, (byte) 0xfe}, ReadableValue.WHOLE)).isEqualTo("\\xcafe");
        assertThat(ReadableValue.of(List.of("a", new byte[] {1}), ReadableValue.WHOLE)).isEqualTo(List.of("a", "\\x01"));
    }

    @Test
    void shouldKeepEverythingWholeUnboundedAndCutOrCountWhatIsLargeWhenBounded() {
        String large = "x".repeat(1_000);
        assertThat(ReadableValue.of(large, ReadableValue.WHOLE)).isEqualTo(large);
        assertThat(ReadableValue.of(large, 16)).isEqualTo("x".repeat(16) + "…(+984 characters)");
        assertThat(ReadableValue.of(new byte[9], 16)).isEqualTo("(9 bytes)");
        assertThat(ReadableValue.of(new byte[8], 16)).isEqualTo("\\x" + "00".repeat(8));
        assertThat(ReadableValue.of(Collections.nCopies(3, "a"), 16)).isEqualTo("(a list of 3)");
        assertThat(ReadableValue.of(Collections.nCopies(2, "a"), 16)).isEqualTo(List.of("a", "a"));
        assertThat(ReadableValue.of(Collections.nCopies(1_000, "a"), ReadableValue.WHOLE)).asList().hasSize(1_000);
    }
}
