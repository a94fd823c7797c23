package io.aixcl.gateway;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test model, read in place from {@code ../shared/models/} beside the repository. */
final class TestModels {

    private TestModels() {
    }

    static Path tinyLlama() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("cannot find the repository root (a folder with mvnw)");
        }
        Path model = dir.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
        if (!Files.isRegularFile(model)) {
            throw new AssertionError("test model missing: " + model + " (see ../shared/models/README.md)");
        }
        return model;
    }
}
