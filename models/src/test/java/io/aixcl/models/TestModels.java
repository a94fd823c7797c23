package io.aixcl.models;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real model files of {@code ../shared/models/} (relative to the project root); a missing one fails the test. */
final class TestModels {
    static final String TINY_LLAMA_SHA256 = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";
    static final long TINY_LLAMA_SIZE = 1_750_560;

    private TestModels() {}

    static Path tinyLlama() {
        String override = System.getenv("AIXCL_TEST_MODELS");
        Path dir = override != null ? Path.of(override) : projectRoot().resolveSibling("shared").resolve("models");
        Path file = dir.resolve("llama-2-tiny-random.gguf");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("test model " + file + " is missing: the tests read ../shared/models/ beside "
                    + "the project root (or set AIXCL_TEST_MODELS to the folder holding llama-2-tiny-random.gguf)");
        }
        return file;
    }

    private static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("run-tests"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root (the folder with run-tests) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
