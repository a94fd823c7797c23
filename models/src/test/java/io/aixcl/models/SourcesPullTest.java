package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelRef;
import io.aixcl.core.models.PullRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesPullTest {
    static final Digest TINY = new Digest(TestModels.TINY_LLAMA_SHA256);
    static final String HF_PATH = "/TheOrg/Tiny-GGUF/resolve/main/tiny-f16.gguf";

    @TempDir Path root;
    FaultyServer hub;
    FaultyServer cdn;
    byte[] tiny;

    @BeforeEach
    void start() throws Exception {
        hub = new FaultyServer();
        cdn = new FaultyServer();
        tiny = Files.readAllBytes(TestModels.tinyLlama());
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        cdn.close();
    }

    ModelStoreSettings settings(Map<String, String> env) {
        return ModelStoreSettings.defaults(root, env).withHuggingFace(hub.base())
                .withDownloads(2, 512 * 1024, Duration.ofSeconds(2), RegistryPullTest.FAST_RETRY)
                .withOneConnectionSuffices(Long.MAX_VALUE);
    }

    @Test
    void aHuggingFaceFileTakesItsDigestFromTheLinkedEtagOfTheHubsRedirect() {
        cdn.serve("/lfs/tiny", tiny);
        hub.redirect(HF_PATH, cdn.base("localhost").resolve("/lfs/tiny"), 302,
                Map.of("X-Linked-Etag", "\"" + TestModels.TINY_LLAMA_SHA256 + "\"", "X-Linked-Size", String.valueOf(tiny.length)));
        try (var store = new LocalModelStore(settings(Map.of()))) {
            var result = store.pull(PullRequest.of("hf:TheOrg/Tiny-GGUF/tiny-f16.gguf"), null);

            assertThat(result.name()).isEqualTo(new ModelName("hf.co", "TheOrg", "Tiny-GGUF", "tiny-f16"));
            var details = store.show(result.name());
            assertThat(details.summary().modelDigest()).isEqualTo(TINY);
            assertThat(details.gguf().architecture()).isEqualTo("llama");
            // A config like Ollama's own for a GGUF import, so the layout stays readable by Ollama.
            assertThat(details.layers()).extracting(l -> l.mediaType())
                    .containsExactly(MediaTypes.DOCKER_CONFIG, MediaTypes.MODEL);
        }
        assertThat(hub.requests("HEAD", HF_PATH)).hasSize(1);
        assertThat(root.resolve("manifests/hf.co/TheOrg/Tiny-GGUF/tiny-f16")).isRegularFile();
        assertThat(root.resolve("blobs/" + TINY.fileName())).hasSameBinaryContentAs(TestModels.tinyLlama());
    }

    @Test
    void aHuggingFaceFileWithoutADigestHasItComputedAndRecorded() {
        hub.serve(HF_PATH, tiny);
        try (var store = new LocalModelStore(settings(Map.of()))) {
            var result = store.pull(PullRequest.of("hf:TheOrg/Tiny-GGUF/tiny-f16.gguf"), null);

            assertThat(store.show(result.name()).summary().modelDigest()).isEqualTo(TINY);
        }
        assertThat(root.resolve("blobs/" + TINY.fileName())).isRegularFile();
        assertThat(root.resolve("blobs/partial")).isEmptyDirectory();
    }

    @Test
    void aHuggingFaceFileThatDoesNotExistIsNotFound() {
        try (var store = new LocalModelStore(settings(Map.of()))) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("hf:TheOrg/Tiny-GGUF/missing.gguf"), null))
                    .isInstanceOf(AixclException.NotFound.class)
                    .hasMessage("hf:TheOrg/Tiny-GGUF/missing.gguf was not found on 127.0.0.1");
        }
    }

    @Test
    void aUrlPullNeedsAndChecksItsSha256() {
        cdn.serve("/models/tiny.gguf", tiny);
        URI url = cdn.base().resolve("/models/tiny.gguf");
        try (var store = new LocalModelStore(settings(Map.of()))) {
            assertThatThrownBy(() -> store.pull(PullRequest.of(url.toString()), null))
                    .isInstanceOf(AixclException.InvalidInput.class)
                    .hasMessageContaining("a URL pull needs --sha256 <digest>");

            Digest wrong = new Digest("0".repeat(64));
            assertThatThrownBy(() -> store.pull(PullRequest.of(url.toString()).withSha256(wrong), null))
                    .hasMessageContaining("digest mismatch for " + url + ": expected " + wrong + ", got " + TINY);
            assertThat(store.list()).isEmpty();

            var result = store.pull(PullRequest.of(url.toString()).withSha256(TINY).named(ModelName.parse("tiny:url")), null);
            assertThat(result.name().display()).isEqualTo("tiny:url");
            assertThat(store.list()).extracting(m -> m.name().display()).containsExactly("tiny:url");
        }
    }

    @Test
    void plainHttpToAPublicHostIsRefusedUnlessAllowed() {
        try (var store = new LocalModelStore(settings(Map.of()))) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("http://models.example.com/tiny.gguf").withSha256(TINY), null))
                    .isInstanceOf(AixclException.InvalidInput.class)
                    .hasMessage("plain http to models.example.com refused: use https (or allow insecure http explicitly)");
        }
    }

    @Test
    void httpProxyFromTheEnvironmentIsUsedForNonLoopbackHosts() {
        // The "proxy" is our server: a request through a proxy arrives in absolute form, naming the real host.
        cdn.serve("/files/tiny.gguf", tiny);
        var env = Map.of("HTTP_PROXY", "http://127.0.0.1:" + cdn.port(), "NO_PROXY", "internal.example");
        try (var store = new LocalModelStore(settings(env))) {
            store.pull(PullRequest.of("http://models.invalid/files/tiny.gguf").withSha256(TINY).allowingInsecureHttp(), null);
            assertThat(store.list()).hasSize(1);
        }
        assertThat(cdn.requests("GET", "/files/tiny.gguf")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.target()).isEqualTo("http://models.invalid/files/tiny.gguf"));
    }

    @Test
    void badProxySettingsAreReportedNotIgnored() {
        var env = Map.of("HTTPS_PROXY", "http://user:secret@proxy.example:3128");
        try (var store = new LocalModelStore(settings(env))) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("https://models.example.com/tiny.gguf").withSha256(TINY), null))
                    .hasMessageContaining("through the configured proxy: HTTPS_PROXY: proxy credentials are not supported")
                    .hasMessageNotContaining("secret");
        }
    }

    @Test
    void aLocalFileIsImportedVerifiedAndValidated() throws Exception {
        try (var store = new LocalModelStore(settings(Map.of()))) {
            var result = store.pull(PullRequest.of(new ModelRef.LocalFile(TestModels.tinyLlama())), null);
            assertThat(result.name().display()).isEqualTo("local/files/llama-2-tiny-random:latest");
            assertThat(store.show(result.name()).summary().modelDigest()).isEqualTo(TINY);

            Path junk = Files.write(root.resolve("junk.gguf"), new byte[] {'G', 'G', 'U', 'F', 9, 0, 0, 0});
            assertThatThrownBy(() -> store.pull(PullRequest.of(junk.toString()), null))
                    .hasMessageContaining("unsupported GGUF version 9");
            assertThatThrownBy(() -> store.pull(PullRequest.of(new ModelRef.LocalFile(TestModels.tinyLlama())).withSha256(new Digest("1".repeat(64))), null))
                    .hasMessageContaining("digest mismatch").hasMessageContaining("nothing was stored");
            assertThat(store.list()).hasSize(1);
        }
    }
}
