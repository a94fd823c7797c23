package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputTailTest {

    @Test
    void theFirstLineNamingAnErrorIsPreferredOverTheCrashBanner() {
        var tail = new OutputTail();
        tail.add("Extracted 'libjllama.so' to '/run/aixcl/engine-llama/native/libjllama.so'");
        tail.add("/work/build/ggml/src/ggml.c:1234: GGML_ASSERT(n > 0) failed");
        tail.add("# A fatal error has been detected by the Java Runtime Environment:");
        tail.add("#  SIGABRT (0x6) at pc=0x00007f");

        assertThat(tail.mostTelling()).endsWith("GGML_ASSERT(n > 0) failed");
    }

    @Test
    void theLibrarysExtractionNoticeIsNeverTheReason() {
        var tail = new OutputTail();
        tail.add("Extracted 'libjllama.so' to '/run/aixcl/engine-llama/native/libjllama.so'");
        assertThat(tail.mostTelling()).isEmpty();

        tail.add("worker: parent 42 is gone; exiting");
        assertThat(tail.mostTelling()).isEqualTo("worker: parent 42 is gone; exiting");
    }

    @Test
    void keepsOnlyTheLastLines() {
        var tail = new OutputTail();
        for (int i = 0; i < 100; i++) {
            tail.add("line " + i);
        }
        assertThat(tail.lines()).hasSize(40).endsWith("line 99");
    }
}
