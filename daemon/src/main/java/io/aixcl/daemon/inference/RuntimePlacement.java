package io.aixcl.daemon.inference;

import java.net.URI;
import java.util.Objects;

/** Where the runtime core runs, as {@link EngineChoice} decided it. */
public sealed interface RuntimePlacement {

    /** The engine's name as status and {@code ServedModel.engine} show it. */
    String engineName();

    /** One line for progress and status: what runs and why. */
    String describe();

    /** The stack's runtime container (Ollama by default), reached on its upstream port. */
    record Container(URI upstream) implements RuntimePlacement {
        public Container {
            Objects.requireNonNull(upstream, "upstream is null");
        }

        @Override
        public String engineName() {
            return "ollama";
        }

        @Override
        public String describe() {
            return "runtime container on the container engine (" + upstream + ")";
        }
    }

    /** llama.cpp in the daemon's supervised child process; {@code reason} says why it was chosen. */
    record Embedded(String reason) implements RuntimePlacement {
        public Embedded {
            Objects.requireNonNull(reason, "reason is null");
        }

        @Override
        public String engineName() {
            return "embedded";
        }

        @Override
        public String describe() {
            return "embedded llama.cpp engine (" + reason + ")";
        }
    }

    /**
     * A server outside the stack: an OpenAI-compatible one ({@code engine: openai}), or an Ollama one
     * ({@code engine: ollama} with {@code inference.url}), such as another aixcl gateway.
     */
    record Remote(URI url, Api api) implements RuntimePlacement {
        public Remote {
            Objects.requireNonNull(url, "url is null");
            Objects.requireNonNull(api, "api is null");
        }

        /** An OpenAI-compatible server. */
        public Remote(URI url) {
            this(url, Api.OPENAI);
        }

        /** The API the server is spoken to in. */
        public enum Api { OPENAI, OLLAMA }

        @Override
        public String engineName() {
            return api == Api.OPENAI ? "openai" : "ollama";
        }

        @Override
        public String describe() {
            return (api == Api.OPENAI ? "OpenAI-compatible server at " : "Ollama server at ") + url;
        }
    }
}
