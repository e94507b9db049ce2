package io.nexussync.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @ParameterizedTest
    @ValueSource(strings = {"0/16B3748", "FFFFFFFF/FFFFFFFF", "1/0", "16/B374D848", "0/1"})
    void shouldPrintWhatItParsed(String text) {
        assertThat(Lsn.valueOf(text).toString()).isEqualTo(text);
    }

    @Test
    void shouldParseHighAndLowHalves() {
        assertThat(Lsn.valueOf("0/16B3748").value()).isEqualTo(0x16B3748L);
        assertThat(Lsn.valueOf("16/B374D848").value()).isEqualTo(0x16_B374D848L);
        assertThat(Lsn.valueOf("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
    }

    @Test
    void shouldAcceptLowerCaseHex() {
        assertThat(Lsn.valueOf("a/bc")).isEqualTo(Lsn.valueOf("A/BC"));
    }

    @Test
    void shouldTreatZeroAsInvalid() {
        assertThat(Lsn.valueOf("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.of(0).isValid()).isFalse();
        assertThat(Lsn.of(1).isValid()).isTrue();
    }

    @Test
    void shouldOrderAsUnsignedValues() {
        Lsn small = Lsn.valueOf("0/1");
        Lsn middle = Lsn.valueOf("7FFFFFFF/FFFFFFFF");
        Lsn large = Lsn.valueOf("80000000/0");
        Lsn largest = Lsn.valueOf("FFFFFFFF/FFFFFFFF");
        List<Lsn> lsns = new ArrayList<>(List.of(largest, small, large, Lsn.INVALID, middle));

        Collections.sort(lsns);

        assertThat(lsns).containsExactly(Lsn.INVALID, small, middle, large, largest);
        assertThat(middle.isBefore(large)).isTrue();
        assertThat(large.isBefore(middle)).isFalse();
        assertThat(largest.isBefore(largest)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "16B3748", "/16B3748", "0/", "G/1", "0/xyz", "0/1/2", "0x1/2"})
    void shouldRejectBadTextNamingIt(String text) {
        assertThatThrownBy(() -> Lsn.valueOf(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a WAL position")
                .hasMessageEndingWith(": " + text);
    }

    @Test
    void shouldRejectNull() {
        assertThatThrownBy(() -> Lsn.valueOf(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1/5", "+1/0", "0/-1", "0/100000000", "100000000/0"})
    void shouldRejectHalvesThatAreNotUpToEightHexDigits(String text) {
        assertThatThrownBy(() -> Lsn.valueOf(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }
}
