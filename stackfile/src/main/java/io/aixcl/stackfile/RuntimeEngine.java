package io.aixcl.stackfile;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Which inference engine runs as the runtime core service {@code inference}; chosen by {@code runtime:}. */
public enum RuntimeEngine {
    OLLAMA("ollama"),
    LLAMACPP("llamacpp"),
    VLLM("vllm");

    private final String wireName;

    RuntimeEngine(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<RuntimeEngine> ofWireName(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(RuntimeEngine::wireName).toList();
    }
}
