package io.aixcl.engine.llama;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test models, read in place from {@code ../shared/models/} beside the repository; never copied in. */
final class TestModels {

    private TestModels() {
    }

    static Path tinyLlama() {
        Path root = repositoryRoot();
        Path model = root.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
        if (!Files.isRegularFile(model)) {
            throw new AssertionError("test model missing: " + model + " (see ../shared/models/README.md; it is "
                    + "llama-2-tiny-random.gguf from the Ollama repository, api/data/)");
        }
        return model;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("cannot find the repository root (a folder with mvnw) above "
                    + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
