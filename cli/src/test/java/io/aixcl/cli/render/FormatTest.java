package io.aixcl.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void tenthsPrintsWhatPercentPointOneFDoes() {
        for (int ms = 0; ms <= 200_000; ms++) { // every duration to the millisecond up to 200 s
            double v = ms / 1000.0;
            assertThat(Format.tenths(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.1f", v));
        }
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            double v = (random.nextDouble() - 0.3) * 5000;
            assertThat(Format.tenths(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.1f", v));
        }
        assertThat(Format.tenths(-0.04)).isEqualTo(String.format(Locale.ROOT, "%.1f", -0.04));
        assertThat(Format.tenths(Double.NaN)).isEqualTo("NaN");
        assertThat(Format.seconds(1.25)).isEqualTo("1.3s");
        assertThat(Format.seconds(null)).isEmpty();
    }

    @Test
    void bytesInBinaryUnitsWithOneDecimal() {
        assertThat(Format.bytes(0)).isEqualTo("0 B");
        assertThat(Format.bytes(1023)).isEqualTo("1023 B");
        assertThat(Format.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(Format.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Format.bytes(1_073_741_824L)).isEqualTo("1.0 GiB");
        assertThat(Format.bytes(5L << 40)).isEqualTo("5.0 TiB");
        assertThat(Format.bytes(5000L << 40)).isEqualTo("5000.0 TiB");
    }
}
