package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelRef;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelRefTest {

    @Test
    void aBareOllamaNameLivesInTheDefaultRegistrysLibrary() {
        var ref = ModelRef.parse("qwen2.5-coder:0.5b");

        assertThat(ref).isEqualTo(new ModelRef.Registry(new ModelName("registry.ollama.ai", "library", "qwen2.5-coder", "0.5b")));
        assertThat(ref.defaultName().display()).isEqualTo("qwen2.5-coder:0.5b");
        assertThat(ref.defaultName()).hasToString("registry.ollama.ai/library/qwen2.5-coder:0.5b");
    }

    @Test
    void namespacesRegistriesAndTheDefaultTag() {
        assertThat(ModelName.parse("jmorgan/tiny")).isEqualTo(new ModelName("registry.ollama.ai", "jmorgan", "tiny", "latest"));
        assertThat(ModelName.parse("127.0.0.1:5000/team/m:q4_K_M"))
                .isEqualTo(new ModelName("127.0.0.1:5000", "team", "m", "q4_K_M"));
        assertThat(ModelName.parse("jmorgan/tiny:1").display()).isEqualTo("jmorgan/tiny:1");
    }

    @Test
    void hostileNamesAreRefusedPrecisely() {
        assertThatThrownBy(() -> ModelName.parse("../etc/passwd")).isInstanceOf(AixclException.InvalidInput.class)
                .hasMessageContaining("invalid model registry '..'");
        assertThatThrownBy(() -> ModelName.parse("a/b/c/d")).hasMessageContaining("at most three");
        assertThatThrownBy(() -> ModelName.parse("m:" + "x".repeat(200))).hasMessageContaining("invalid model tag");
        assertThatThrownBy(() -> ModelName.parse("m:")).hasMessageContaining("empty tag");
        assertThatThrownBy(() -> ModelName.parse("lib/.hidden")).hasMessageContaining("invalid model model name '.hidden'");
        assertThatThrownBy(() -> ModelRef.parse("m\n:1")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> ModelName.parse("a b")).hasMessageContaining("invalid model model name 'a b'");
    }

    @Test
    void huggingFaceFilesAreStoredUnderHfCo() {
        var ref = ModelRef.parse("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");

        assertThat(ref).isEqualTo(new ModelRef.HuggingFace("Qwen", "Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf"));
        assertThat(ref.defaultName()).isEqualTo(new ModelName("hf.co", "Qwen", "Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m"));
    }

    @Test
    void hostileHuggingFacePathsAreRefused() {
        assertThatThrownBy(() -> ModelRef.parse("hf:org/repo/../x.gguf")).hasMessageContaining("no '..'");
        assertThatThrownBy(() -> ModelRef.parse("hf:org/repo/x.bin")).hasMessageContaining("is not a .gguf file");
        assertThatThrownBy(() -> ModelRef.parse("hf:org/repo")).hasMessageContaining("expected hf:org/repo/file.gguf");
        assertThatThrownBy(() -> ModelRef.parse("hf:../repo/x.gguf")).hasMessageContaining("invalid Hugging Face repository");
    }

    @Test
    void urlsAndLocalFiles() {
        var url = ModelRef.parse("https://example.com/models/tiny.gguf");
        assertThat(url).isEqualTo(new ModelRef.Url(URI.create("https://example.com/models/tiny.gguf")));
        assertThat(url.defaultName()).isEqualTo(new ModelName("example.com", "files", "tiny", "latest"));

        assertThat(ModelRef.parse("/models/tiny.gguf")).isEqualTo(new ModelRef.LocalFile(Path.of("/models/tiny.gguf")));
        assertThat(ModelRef.parse("/models/tiny.gguf").defaultName()).isEqualTo(new ModelName("local", "files", "tiny", "latest"));
    }

    @Test
    void badUrlsAndRelativePathsAreRefused() {
        assertThatThrownBy(() -> ModelRef.parse("ftp://example.com/x.gguf")).hasMessageContaining("unsupported URL scheme");
        assertThatThrownBy(() -> ModelRef.parse("https://user:pw@example.com/x.gguf")).hasMessageContaining("carries credentials");
        assertThatThrownBy(() -> ModelRef.parse("./x.gguf")).hasMessageContaining("must be an absolute path");
        assertThatThrownBy(() -> ModelRef.parse("/models/../etc/x.gguf")).hasMessageContaining("normalized");
    }

    @Test
    void digestsAcceptTheUsualSpellings() {
        String hex = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";
        assertThat(Digest.parse("sha256:" + hex)).isEqualTo(new Digest(hex));
        assertThat(Digest.parse("sha256-" + hex).fileName()).isEqualTo("sha256-" + hex);
        assertThat(Digest.parse(hex.toUpperCase())).isEqualTo(new Digest(hex));
        assertThatThrownBy(() -> Digest.parse("md5:abc")).hasMessageContaining("only sha256");
        assertThatThrownBy(() -> Digest.parse("sha256:../../x")).hasMessageContaining("64 lowercase hex");
    }
}
