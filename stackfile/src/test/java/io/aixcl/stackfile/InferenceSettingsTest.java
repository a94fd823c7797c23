package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.aixcl.core.inference.ModelSpec;
import io.aixcl.stackfile.Settings.Gateway;
import io.aixcl.stackfile.Settings.Inference;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InferenceSettingsTest {
    private static final Path CONFIG = Path.of("/home/u/.config/aixcl");

    private static Settings parse(String yaml) {
        return Settings.parse("settings.yaml", yaml, CONFIG);
    }

    private static List<String> problems(String yaml) {
        StackFileException e = catchThrowableOfType(StackFileException.class, () -> parse(yaml));
        assertThat(e).as("expected problems for:\n" + yaml).isNotNull();
        return e.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void defaultsAreAutoEngineAndTheGatewayOnOllamasPortOnLoopback() {
        Settings s = Settings.defaults(CONFIG);
        assertThat(s.inference()).isEqualTo(new Inference(Inference.Engine.AUTO, Optional.empty(), Optional.empty(),
                4096, 1, 8, Duration.ofMinutes(5)));
        assertThat(s.gateway().listen()).hasToString("127.0.0.1:11434");
        assertThat(s.gateway().allowRemote()).isFalse();
        assertThat(s.gateway().allowedHosts()).isEmpty();
        assertThat(s.gateway().corsOrigins()).isEmpty();
        assertThat(parse("inference: {}\ngateway: {}\n")).isEqualTo(s);
    }

    @Test
    void everyInferenceKeyIsMapped() {
        Settings s = parse("""
                inference:
                  engine: openai
                  url: https://api.example.com/v1
                  api_key_file: keys/upstream
                  context: 8192
                  concurrency: 4
                  queue: 0
                  keep_alive: 1m30s
                """);
        assertThat(s.inference()).isEqualTo(new Inference(Inference.Engine.OPENAI,
                Optional.of(URI.create("https://api.example.com/v1")), Optional.of(CONFIG.resolve("keys/upstream")),
                8192, 4, 0, Duration.ofSeconds(90)));
    }

    @Test
    void threadsSetsLlamaCppsThreadCountForTheEmbeddedEngineOnly() {
        assertThat(Settings.defaults(CONFIG).inference().threads()).isEmpty();
        assertThat(parse("inference: {engine: embedded, threads: 1}").inference().threads()).hasValue(1);
        assertThat(parse("inference: {threads: 3}").inference().threads()).hasValue(3);

        assertThat(problems("inference: {threads: 0}")).singleElement().asString().contains("inference.threads");
        assertThat(problems("inference: {threads: two}")).singleElement().asString().contains("inference.threads");
        assertThat(problems("inference: {engine: openai, url: 'https://api.example.com/v1', threads: 2}"))
                .singleElement().asString().contains("inference.threads", "embedded engine");
    }

    @Test
    void keepAliveTakesZeroAndForever() {
        assertThat(parse("inference: {keep_alive: forever}").inference().keepAlive()).isEqualTo(ModelSpec.KEEP_FOREVER);
        assertThat(parse("inference: {keep_alive: \"0\"}").inference().keepAlive()).isEqualTo(Duration.ZERO);
        assertThat(parse("inference: {engine: embedded}").inference().engine()).isEqualTo(Inference.Engine.EMBEDDED);
        assertThat(parse("inference: {engine: ollama}").inference().engine()).isEqualTo(Inference.Engine.OLLAMA);
    }

    @Test
    void plainHttpIsForLoopbackUnlessAllowed() {
        assertThat(parse("inference: {engine: openai, url: \"http://127.0.0.1:8000/v1\"}").inference().url())
                .contains(URI.create("http://127.0.0.1:8000/v1"));
        assertThat(parse("inference: {engine: openai, url: \"http://localhost:8000/v1\"}").inference().url())
                .isPresent();
        assertThat(parse("inference: {engine: openai, url: \"http://[::1]:8000/v1\"}").inference().url())
                .isPresent();
        assertThat(problems("inference:\n  engine: openai\n  url: http://gpu.lan:8000/v1\n")).containsExactly(
                "settings.yaml:3:8: inference.url: plain http to gpu.lan would send prompts and the API key "
                        + "unencrypted over the network: use https, or set inference.allow_insecure_http: true to mean it");
        // A name that merely starts like a loopback address is not one.
        assertThat(problems("inference: {engine: openai, url: \"http://127.0.0.1.example.com/v1\"}")).hasSize(1);
        assertThat(parse("inference: {engine: openai, url: \"http://gpu.lan:8000/v1\", allow_insecure_http: true}")
                .inference().url()).contains(URI.create("http://gpu.lan:8000/v1"));
    }

    @Test
    void everyInferenceMistakeIsReportedWithItsPlace() {
        assertThat(problems("""
                inference:
                  engine: cloud
                  context: 8
                  concurrency: 65
                  queue: -1
                  keep_alive: soon
                  temperature: 1
                """)).containsExactly(
                "settings.yaml:2:11: inference.engine: unknown engine 'cloud': expected one of auto, embedded, "
                        + "ollama, openai",
                "settings.yaml:3:12: inference.context: expected a whole number from 16 to 1048576, found 8",
                "settings.yaml:4:16: inference.concurrency: expected a whole number from 1 to 64, found 65",
                "settings.yaml:5:10: inference.queue: expected a whole number from 0 to 10000, found -1",
                "settings.yaml:6:15: inference.keep_alive: expected a duration (30s, 5m, 1h), 0 to free a model as "
                        + "soon as it idles, or forever; found 'soon'",
                "settings.yaml:7:3: inference.temperature: unknown key; expected one of: engine, url, api_key_file, "
                        + "allow_insecure_http, context, concurrency, queue, keep_alive, threads");
    }

    @Test
    void theUrlAndKeyFileBelongToAnUpstreamServer() {
        assertThat(problems("inference:\n  engine: openai\n")).containsExactly(
                "settings.yaml:2:11: inference.engine: engine: openai needs inference.url, the server's "
                        + "OpenAI-compatible base URL (e.g. https://api.example.com/v1)");
        assertThat(problems("inference:\n  url: https://api.example.com/v1\n  api_key_file: /k\n")).containsExactly(
                "settings.yaml:2:8: inference.url: a URL is for engine: openai (an OpenAI-compatible server) or "
                        + "engine: ollama (an Ollama server outside the stack); engine is auto",
                "settings.yaml:3:17: inference.api_key_file: an API key file is for engine: openai, or engine: "
                        + "ollama with inference.url; engine is auto");
        assertThat(problems("inference:\n  engine: embedded\n  url: http://127.0.0.1:11434\n").getFirst())
                .startsWith("settings.yaml:3:8: inference.url: a URL is for engine: openai");
    }

    @Test
    void ollamaTakesTheUrlOfAnOllamaServerOutsideTheStackAndItsKey() {
        Inference i = parse("inference: {engine: ollama, url: \"http://127.0.0.1:11500\", api_key_file: keys/up}")
                .inference();
        assertThat(i.engine()).isEqualTo(Inference.Engine.OLLAMA);
        assertThat(i.url()).contains(URI.create("http://127.0.0.1:11500"));
        assertThat(i.apiKeyFile()).contains(CONFIG.resolve("keys/up"));
        assertThat(parse("inference: {engine: ollama, url: \"https://ollama.lan\"}").inference().url())
                .contains(URI.create("https://ollama.lan"));
        // Without a url, ollama is the stack's container: no url required, and no key to send it.
        assertThat(parse("inference: {engine: ollama}").inference().url()).isEmpty();
        assertThat(problems("inference:\n  engine: ollama\n  api_key_file: /k\n")).containsExactly(
                "settings.yaml:3:17: inference.api_key_file: an API key file is for a server at inference.url; "
                        + "engine: ollama without a url is the stack's own container, which takes no key");
        // The same rules as for openai: loopback or https, no credentials in the URL.
        assertThat(problems("inference:\n  engine: ollama\n  url: http://gpu.lan:11434\n")).containsExactly(
                "settings.yaml:3:8: inference.url: plain http to gpu.lan would send prompts and the API key "
                        + "unencrypted over the network: use https, or set inference.allow_insecure_http: true to mean it");
        assertThat(problems("inference: {engine: ollama, url: \"https://me:s3cret@ollama.lan\"}"))
                .singleElement().asString().contains("must not carry credentials").doesNotContain("s3cret");
    }

    @Test
    void aUrlIsCheckedBeforeUse() {
        assertThat(problems("inference: {engine: openai, url: \"ftp://x/v1\"}").getFirst())
                .endsWith("inference.url: expected an http or https URL, found 'ftp://x/v1'");
        assertThat(problems("inference: {engine: openai, url: \"https:///v1\"}").getFirst())
                .endsWith("inference.url: the URL has no host: 'https:///v1'");
        assertThat(problems("inference: {engine: openai, url: \"https://api.example.com/v1?x=1\"}").getFirst())
                .contains("expected a base URL without query or fragment");
        assertThat(problems("inference: {engine: openai, url: \"https://a b\"}").getFirst())
                .contains("inference.url: invalid URL 'https://a b'");
        // The credential is not echoed back.
        assertThat(problems("inference: {engine: openai, url: \"https://me:s3cret@api.example.com/v1\"}"))
                .singleElement().asString().contains("must not carry credentials").doesNotContain("s3cret");
    }

    @Test
    void everyGatewayKeyIsMapped() {
        Settings s = parse("""
                gateway:
                  listen: 0.0.0.0:11500
                  allow_remote: true
                  allowed_hosts: [AI.lan, gpu-box.example.com]
                  cors_origins: ["http://localhost:3000", "https://chat.example.com"]
                """);
        assertThat(s.gateway()).isEqualTo(new Gateway(ListenAddress.of("0.0.0.0:11500"), true,
                List.of("ai.lan", "gpu-box.example.com"), List.of("http://localhost:3000", "https://chat.example.com")));
    }

    @Test
    void everyGatewayMistakeIsReportedWithItsPlace() {
        assertThat(problems("""
                gateway:
                  listen: 0.0.0.0:11434
                  allowed_hosts: ["*", "ai.lan:80"]
                  cors_origins: ["*", "http://localhost:3000/app", "localhost"]
                """)).containsExactly(
                "settings.yaml:2:11: gateway.listen: 0.0.0.0:11434 is reachable from other machines: set "
                        + "gateway.allow_remote: true to mean it (every request then needs an API key), or listen on "
                        + "127.0.0.1",
                "settings.yaml:3:18: gateway.allowed_hosts: invalid host name '*': expected a DNS name such as ai.lan "
                        + "(no port, no wildcard: each name is a deliberate exception to the DNS-rebinding check)",
                "settings.yaml:3:18: gateway.allowed_hosts: invalid host name 'ai.lan:80': expected a DNS name such as "
                        + "ai.lan (no port, no wildcard: each name is a deliberate exception to the DNS-rebinding check)",
                "settings.yaml:4:17: gateway.cors_origins: invalid origin '*': '*' would let every web page the user "
                        + "visits call the endpoint; list the origins",
                "settings.yaml:4:17: gateway.cors_origins: invalid origin 'http://localhost:3000/app': expected "
                        + "scheme://host[:port], e.g. http://localhost:3000",
                "settings.yaml:4:17: gateway.cors_origins: invalid origin 'localhost': expected scheme://host[:port], "
                        + "e.g. http://localhost:3000");
        assertThat(problems("gateway: {listen: \"localhost\"}")).singleElement().asString()
                .contains("gateway.listen: invalid address 'localhost': expected ADDRESS:PORT");
    }
}
