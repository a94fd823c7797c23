package io.aixcl.daemon.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.stackfile.Settings.Inference.Engine;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineChoiceTest {
    private static final URI UPSTREAM = URI.create("http://127.0.0.1:11435");
    private static final String IMAGE = "docker.io/ollama/ollama:0.12.6";

    /** A machine as the choice sees it; counts the image questions, since one may cost a pull. */
    private static final class Machine implements EngineChoice.Host {
        final Optional<String> engineProblem;
        final Optional<String> imageProblem;
        final AtomicInteger imageQuestions = new AtomicInteger();

        Machine(Optional<String> engineProblem, Optional<String> imageProblem) {
            this.engineProblem = engineProblem;
            this.imageProblem = imageProblem;
        }

        @Override
        public Optional<String> containerEngineProblem() {
            return engineProblem;
        }

        @Override
        public String runtimeImage() {
            return IMAGE;
        }

        @Override
        public Optional<String> runtimeImageProblem() {
            imageQuestions.incrementAndGet();
            return imageProblem;
        }
    }

    private static Machine noEngine() {
        return new Machine(Optional.of("podman is not on PATH"), Optional.empty());
    }

    private static Machine engineWithImage() {
        return new Machine(Optional.empty(), Optional.empty());
    }

    private static Machine engineWithoutImage() {
        return new Machine(Optional.empty(), Optional.of("cannot pull: registry unreachable"));
    }

    @Test
    void autoTakesTheContainerWhenAnEngineAnswersAndTheImageIsThere() {
        assertThat(EngineChoice.choose(Engine.AUTO, Optional.empty(), UPSTREAM, engineWithImage()))
                .isEqualTo(new RuntimePlacement.Container(UPSTREAM));
    }

    @Test
    void autoGoesEmbeddedWithoutAContainerEngineAndSaysWhyWithoutAskingForTheImage() {
        Machine m = noEngine();
        assertThat(EngineChoice.choose(Engine.AUTO, Optional.empty(), UPSTREAM, m))
                .isEqualTo(new RuntimePlacement.Embedded("no container engine: podman is not on PATH"));
        assertThat(m.imageQuestions).hasValue(0);
    }

    @Test
    void autoGoesEmbeddedWhenTheRuntimeImageCanNeitherBeFoundNorPulled() {
        RuntimePlacement p = EngineChoice.choose(Engine.AUTO, Optional.empty(), UPSTREAM, engineWithoutImage());
        assertThat(p).isEqualTo(new RuntimePlacement.Embedded("runtime image " + IMAGE
                + " unavailable: cannot pull: registry unreachable"));
        assertThat(p.describe()).isEqualTo("embedded llama.cpp engine (runtime image " + IMAGE
                + " unavailable: cannot pull: registry unreachable)");
    }

    @Test
    void embeddedIsObeyedEvenWithAContainerEngine() {
        Machine m = engineWithImage();
        assertThat(EngineChoice.choose(Engine.EMBEDDED, Optional.empty(), UPSTREAM, m))
                .isEqualTo(new RuntimePlacement.Embedded("inference.engine: embedded"));
        assertThat(m.imageQuestions).hasValue(0);
    }

    @Test
    void ollamaWithoutAContainerEngineFailsSayingHowToGetOne() {
        assertThatThrownBy(() -> EngineChoice.choose(Engine.OLLAMA, Optional.empty(), UPSTREAM, noEngine()))
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessage("inference.engine is ollama, which runs in a container, but there is no container "
                        + "engine: podman is not on PATH. Install one (apt-get install -y podman), or set "
                        + "inference.engine: auto to use the embedded engine");
    }

    @Test
    void ollamaWithoutItsImageFailsNamingTheImage() {
        assertThatThrownBy(() -> EngineChoice.choose(Engine.OLLAMA, Optional.empty(), UPSTREAM, engineWithoutImage()))
                .isInstanceOfSatisfying(AixclException.ImageUnavailable.class,
                        e -> assertThat(e.image()).isEqualTo(IMAGE))
                .hasMessageContaining("runtime image " + IMAGE + " is not available: cannot pull: registry unreachable");
        assertThat(EngineChoice.choose(Engine.OLLAMA, Optional.empty(), UPSTREAM, engineWithImage()))
                .isEqualTo(new RuntimePlacement.Container(UPSTREAM));
    }

    @Test
    void openAiUsesTheUrlWhateverTheMachineHas() {
        URI url = URI.create("https://api.example.com/v1");
        Machine m = noEngine();
        assertThat(EngineChoice.choose(Engine.OPENAI, Optional.of(url), UPSTREAM, m))
                .isEqualTo(new RuntimePlacement.Remote(url));
        assertThatThrownBy(() -> EngineChoice.choose(Engine.OPENAI, Optional.empty(), UPSTREAM, m))
                .isInstanceOf(AixclException.InvalidInput.class).hasMessageContaining("inference.url is not set");
    }

    @Test
    void ollamaWithAUrlIsThatServerWhateverTheMachineHas() {
        URI url = URI.create("http://127.0.0.1:11500");
        RuntimePlacement p = EngineChoice.choose(Engine.OLLAMA, Optional.of(url), UPSTREAM, noEngine());
        assertThat(p).isEqualTo(new RuntimePlacement.Remote(url, RuntimePlacement.Remote.Api.OLLAMA));
        assertThat(p.engineName()).isEqualTo("ollama");
        assertThat(p.describe()).isEqualTo("Ollama server at http://127.0.0.1:11500");
        assertThat(new RuntimePlacement.Remote(url).engineName()).isEqualTo("openai");
    }

    @Test
    void theLocatorsReportIsToldInOneLineWithTheDecisiveAttempt() {
        assertThat(EngineChoice.briefly("""
                the configured engine socket does not answer. Tried:
                  - engine socket from aixcl settings [100]: no engine: /tmp/none/engine.sock does not exist
                To fix: install Podman with: apt-get install -y podman runc""")).isEqualTo(
                "the configured engine socket does not answer: /tmp/none/engine.sock does not exist");
        assertThat(EngineChoice.briefly("""
                no container engine found. Tried:
                  - $DOCKER_HOST [80]: not applicable: DOCKER_HOST is not set
                  - Podman API service started by aixcl [0]: not applicable: podman is not on PATH
                To fix: ...""")).isEqualTo("no container engine found: podman is not on PATH");
        assertThat(EngineChoice.briefly("cannot connect to a container engine: refused"))
                .isEqualTo("cannot connect to a container engine: refused");
    }
}
