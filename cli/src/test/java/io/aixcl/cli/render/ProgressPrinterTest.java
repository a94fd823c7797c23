package io.aixcl.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.Dtos;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {

    @Test
    void announcesEachPulledImageOnceAndNeverANullOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        printer.accept(pull(null, "total", 10, 100)); // a model pull's running total: no image
        printer.accept(pull("sha256:aa", "sha256:aa", 0, 100));
        printer.accept(pull("sha256:aa", "sha256:aa", 50, 100));
        printer.accept(pull("docker.io/library/busybox:1", "l1", 0, 10));
        printer.accept(new Dtos.Event("pulled", null, null, null, "docker.io/library/busybox:1", null, 0, 0, 1.25,
                null, null, null, null));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                  pulling    sha256:aa
                  pulling    docker.io/library/busybox:1
                  pulled     docker.io/library/busybox:1 (1.3s)
                """);
    }

    private static Dtos.Event pull(String image, String layer, long current, long total) {
        return new Dtos.Event("pull", null, "downloading", null, image, layer, current, total, null, null, null, null,
                null);
    }
}
