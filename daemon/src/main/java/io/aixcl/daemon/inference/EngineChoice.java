package io.aixcl.daemon.inference;

import io.aixcl.core.AixclException;
import io.aixcl.stackfile.Settings.Inference;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides where the runtime core runs from {@code inference.engine} and what the machine offers. {@code auto} takes
 * the runtime container when a container engine answers and the runtime image is there (or can be pulled), else
 * the embedded engine; an explicit choice is obeyed, or refused saying why it cannot be. {@code ollama} with a URL is
 * an Ollama server outside the stack (another machine, another aixcl gateway), not the stack's container.
 */
public final class EngineChoice {
    /** How to get a container engine on the machine kinds aixcl targets. */
    public static final String INSTALL_ENGINE = "apt-get install -y podman";

    private EngineChoice() {}

    /** What the machine offers; asked lazily, so a question that costs (a pull) is asked only when it matters. */
    public interface Host {
        /** Empty when a container engine answers, else why none does. */
        Optional<String> containerEngineProblem();

        /** The runtime core's image reference. */
        String runtimeImage();

        /** Empty when the runtime image is present or was pulled, else why it is neither. Asked with an engine only. */
        Optional<String> runtimeImageProblem();
    }

    public static RuntimePlacement choose(Inference.Engine requested, Optional<URI> url, URI containerUpstream,
                                          Host host) {
        Objects.requireNonNull(requested, "requested is null");
        return switch (requested) {
            case EMBEDDED -> new RuntimePlacement.Embedded("inference.engine: embedded");
            case OPENAI -> new RuntimePlacement.Remote(url.orElseThrow(() -> new AixclException.InvalidInput(
                    "inference.engine is openai but inference.url is not set")));
            case OLLAMA -> {
                if (url.isPresent()) { // an Ollama server outside the stack: no container to run
                    yield new RuntimePlacement.Remote(url.get(), RuntimePlacement.Remote.Api.OLLAMA);
                }
                Optional<String> noEngine = host.containerEngineProblem();
                if (noEngine.isPresent()) {
                    throw new AixclException.EngineUnavailable("inference.engine is ollama, which runs in a "
                            + "container, but there is no container engine: " + noEngine.get() + ". Install one ("
                            + INSTALL_ENGINE + "), or set inference.engine: auto to use the embedded engine", null);
                }
                Optional<String> noImage = host.runtimeImageProblem();
                if (noImage.isPresent()) {
                    throw new AixclException.ImageUnavailable(host.runtimeImage(), "inference.engine is "
                            + "ollama but the runtime image " + host.runtimeImage() + " is not available: " + noImage.get() + ". Load it (podman load -i FILE), or set "
                            + "inference.engine: auto to use the embedded engine", null);
                }
                yield new RuntimePlacement.Container(containerUpstream);
            }
            case AUTO -> {
                Optional<String> noEngine = host.containerEngineProblem();
                if (noEngine.isPresent()) {
                    yield new RuntimePlacement.Embedded("no container engine: " + noEngine.get());
                }
                Optional<String> noImage = host.runtimeImageProblem();
                yield noImage.<RuntimePlacement>map(p -> new RuntimePlacement.Embedded(
                        "runtime image " + host.runtimeImage() + " unavailable: " + p))
                        .orElseGet(() -> new RuntimePlacement.Container(containerUpstream));
            }
        };
    }

    /**
     * One line from the engine locator's report of why no engine answers: its verdict and the last thing it tried
     * ("the configured engine socket does not answer: /run/x.sock does not exist").
     */
    public static String briefly(String engineUnavailable) {
        if (engineUnavailable == null || engineUnavailable.isBlank()) {
            return "no container engine answers";
        }
        List<String> lines = engineUnavailable.lines().toList();
        String verdict = lines.getFirst().replaceFirst("\\.? ?Tried:$", "").strip();
        String last = null;
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("- ") && t.contains("]: ")) {
                last = t.substring(t.indexOf("]: ") + 3).replaceFirst("^(no engine|not applicable): ", "");
            }
        }
        return last == null ? verdict : verdict + ": " + last;
    }
}
