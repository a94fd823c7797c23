package io.aixcl.gateway.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Prompt;
import io.aixcl.gateway.inference.Generate;
import io.aixcl.gateway.inference.Json;
import io.aixcl.gateway.inference.Sampling;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OllamaRequestsTest {

    private final OllamaRequests requests = new OllamaRequests(new Sampling(1000, 64));

    private static com.fasterxml.jackson.databind.node.ObjectNode body(String json) {
        return Json.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepAliveZeroWithoutAPromptIsAnUnloadInEveryOllamaSpelling() {
        for (String zero : new String[] {"0", "\"0\"", "\"0s\"", "\"0m\"", "0.0", "\" 0ms \""}) {
            assertThat(OllamaRequests.unloads(body("{\"model\":\"m\",\"keep_alive\":" + zero + "}"))).as(zero)
                    .isTrue();
        }
        for (String other : new String[] {"300", "-1", "\"5m\"", "\"10s\"", "null"}) {
            assertThat(OllamaRequests.unloads(body("{\"model\":\"m\",\"keep_alive\":" + other + "}"))).as(other)
                    .isFalse();
        }
        assertThat(OllamaRequests.unloads(body("{\"model\":\"m\"}"))).isFalse();
    }

    @Test
    void keepAliveIsReadAsOllamaReadsIt() {
        java.util.Map<String, java.time.Duration> cases = new java.util.LinkedHashMap<>();
        cases.put("300", java.time.Duration.ofMinutes(5));
        cases.put("1.5", java.time.Duration.ofMillis(1500));
        cases.put("\"5m\"", java.time.Duration.ofMinutes(5));
        cases.put("\"1h30m\"", java.time.Duration.ofMinutes(90));
        cases.put("\"1.5h\"", java.time.Duration.ofMinutes(90));
        cases.put("\"250ms\"", java.time.Duration.ofMillis(250));
        cases.put("\"2m3s4ms5us6ns\"", java.time.Duration.ofSeconds(123).plusNanos(4_005_006));
        cases.put("\"+10s\"", java.time.Duration.ofSeconds(10));
        cases.put("\"0\"", java.time.Duration.ZERO);
        cases.put("-1", io.aixcl.core.inference.ModelSpec.KEEP_FOREVER);
        cases.put("\"-1m\"", io.aixcl.core.inference.ModelSpec.KEEP_FOREVER);
        cases.forEach((json, expected) -> assertThat(KeepAlive.of(body("{\"keep_alive\":" + json + "}")))
                .as(json).contains(expected));
        assertThat(KeepAlive.of(body("{\"keep_alive\":null}"))).isEmpty();
        assertThat(KeepAlive.of(body("{}"))).isEmpty();

        Generate chat = requests.chat(body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"keep_alive\":\"10m\"}")).orElseThrow();
        assertThat(chat.keepAlive()).contains(java.time.Duration.ofMinutes(10));
        assertThat(requests.generate(body("{\"model\":\"m\",\"prompt\":\"p\"}")).orElseThrow().keepAlive()).isEmpty();
    }

    @Test
    void aKeepAliveThatIsNoDurationIsRefusedNamingTheParameterNotItsValue() {
        for (String bad : new String[] {"\"\"", "\"5\"", "\"5 m\"", "\"m\"", "\"5d\"", "\"1h-5m\"", "\"secret5mX\"",
                "true", "[0]", "{}", "\"300000000h\"", "1e300"}) {
            assertThatThrownBy(() -> KeepAlive.of(body("{\"keep_alive\":" + bad + "}"))).as(bad)
                    .isInstanceOfSatisfying(io.aixcl.gateway.inference.ApiError.ApiFailure.class, failure -> {
                        assertThat(failure.error().param()).isEqualTo("keep_alive");
                        assertThat(failure.error().status()).isEqualTo(400);
                        assertThat(failure.error().message()).doesNotContain("secret");
                    });
        }
        assertThatThrownBy(() -> requests.chat(body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"keep_alive\":\"forever\"}"))).isInstanceOf(io.aixcl.gateway.inference.ApiError.ApiFailure.class);
    }

    @Test
    void optionsMapToSamplingAndStreamingIsTheDefault() {
        Generate generate = requests.chat(body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"x\"}],\"options\":{\"temperature\":0.2,\"top_p\":0.5,\"num_predict\":7,\"stop\":[\"a\"],"
                + "\"seed\":9,\"num_ctx\":4096}}")).orElseThrow();

        assertThat(generate.stream()).isTrue();
        assertThat(generate.params().temperature()).isEqualTo(0.2);
        assertThat(generate.params().topP()).isEqualTo(0.5);
        assertThat(generate.params().maxTokens()).isEqualTo(7);
        assertThat(generate.params().stop()).containsExactly("a");
        assertThat(generate.params().seed()).hasValue(9);
    }

    @Test
    void unlimitedNumPredictIsBoundedByTheGatewayDefault() {
        Generate generate = requests.generate(body("{\"model\":\"m\",\"prompt\":\"p\",\"stream\":false,"
                + "\"options\":{\"num_predict\":-1}}")).orElseThrow();
        assertThat(generate.params().maxTokens()).isEqualTo(64);
        assertThat(generate.stream()).isFalse();
        assertThat(generate.params().temperature()).isEqualTo(0.8);
    }

    @Test
    void generateUsesTheChatTemplateUnlessRaw() {
        assertThat(requests.generate(body("{\"model\":\"m\",\"prompt\":\"p\",\"system\":\"s\"}")).orElseThrow()
                .prompt()).isEqualTo(Prompt.chat(ChatMessage.system("s"), ChatMessage.user("p")));
        assertThat(requests.generate(body("{\"model\":\"m\",\"prompt\":\"p\",\"raw\":true}")).orElseThrow()
                .prompt()).isEqualTo(Prompt.text("p"));
        assertThat(requests.generate(body("{\"model\":\"m\"}"))).isEmpty();
        assertThat(requests.chat(body("{\"model\":\"m\",\"messages\":[]}"))).isEmpty();
    }

    @Test
    void badOptionsNameTheirField() {
        assertThatThrownBy(() -> requests.chat(body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"options\":{\"num_predict\":\"many\"}}")))
                .hasMessage("invalid type for 'options.num_predict': expected an integer, but got a string instead");
        assertThatThrownBy(() -> requests.chat(body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\",\"images\":[\"aGk=\"]}]}"))).hasMessage("images are not supported");
        assertThatThrownBy(() -> requests.generate(body("{\"model\":\"m\",\"prompt\":\"p\",\"format\":\"json\"}")))
                .hasMessage("structured output ('format') is not supported");
    }

    @Test
    void parameterSizesReadAsOllamaShowsThem() {
        assertThat(OllamaRoutes.parameterSize(6_738_415_616L)).isEqualTo("6.7B");
        assertThat(OllamaRoutes.parameterSize(22_700_000L)).isEqualTo("22M");
        assertThat(OllamaRoutes.parameterSize(0)).isEmpty();
    }
}
