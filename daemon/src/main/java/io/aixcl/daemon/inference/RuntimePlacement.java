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

    /** An OpenAI-compatible server outside the stack. */
    record Remote(URI url) implements RuntimePlacement {
        public Remote {
            Objects.requireNonNull(url, "url is null");
        }

        @Override
        public String engineName() {
            return "openai";
        }

        @Override
        public String describe() {
            return "OpenAI-compatible server at " + url;
        }
    }
}
