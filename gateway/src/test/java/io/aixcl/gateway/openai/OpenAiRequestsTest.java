package io.aixcl.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Prompt;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Generate;
import io.aixcl.gateway.inference.Json;
import io.aixcl.gateway.inference.Sampling;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiRequestsTest {

    private final OpenAiRequests requests = new OpenAiRequests(new Sampling(1000, 64));

    private Generate chat(String json) {
        return requests.chat(Json.parseObject(json.getBytes(StandardCharsets.UTF_8)));
    }

    private ApiError refusal(String json) {
        try {
            chat(json);
        } catch (ApiError.ApiFailure failure) {
            return failure.error();
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void aChatMapsRolesContentPartsAndSampling() {
        Generate generate = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"developer\",\"content\":\"rules\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":"
                + "\"b\"}]},{\"role\":\"assistant\",\"content\":null}],\"max_completion_tokens\":12,"
                + "\"temperature\":0.5,\"top_p\":0.9,\"stop\":\"END\",\"seed\":42,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"n\":1,\"user\":\"u\"}");

        assertThat(((Prompt.Chat) generate.prompt()).messages()).containsExactly(ChatMessage.system("rules"),
                ChatMessage.user("ab"), ChatMessage.assistant(""));
        assertThat(generate.params().maxTokens()).isEqualTo(12);
        assertThat(generate.params().temperature()).isEqualTo(0.5);
        assertThat(generate.params().topP()).isEqualTo(0.9);
        assertThat(generate.params().stop()).containsExactly("END");
        assertThat(generate.params().seed()).hasValue(42);
        assertThat(generate.stream()).isTrue();
        assertThat(generate.includeUsage()).isTrue();
    }

    @Test
    void defaultsAreOpenAisSamplingAndTheGatewaysTokenLimit() {
        Generate generate = chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(generate.params().maxTokens()).isEqualTo(64);
        assertThat(generate.params().temperature()).isEqualTo(1.0);
        assertThat(generate.params().topP()).isEqualTo(1.0);
        assertThat(generate.stream()).isFalse();
    }

    @Test
    void unsupportedFeaturesAreRefusedByName() {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        assertThat(refusal("{\"model\":\"m\"," + user + ",\"tools\":[{\"type\":\"function\"}]}").param())
                .isEqualTo("tools");
        assertThat(refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}").message())
                .isEqualTo("role 'tool' is not supported: this gateway does not call tools");
        assertThat(refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                + "\"image_url\"}]}]}").param()).isEqualTo("messages[0].content[0].type");
        assertThat(refusal("{\"model\":\"m\"," + user + ",\"max_tokens\":0}").message())
                .isEqualTo("'max_tokens' must be at least 1, got 0");
        assertThat(refusal("{\"model\":\"m\"," + user + ",\"stop\":[\"\"]}").param()).isEqualTo("stop");
        assertThat(refusal("{\"model\":\"m\"," + user + ",\"max_tokens\":2.5}").message())
                .isEqualTo("invalid type for 'max_tokens': expected an integer, but got a number instead");
    }

    @Test
    void aCompletionTakesOnePromptAndEmbeddingsTakeStringsOnly() {
        Generate completion = requests.completion(Json.parseObject(
                "{\"model\":\"m\",\"prompt\":[\"once\"]}".getBytes(StandardCharsets.UTF_8)));
        assertThat(completion.prompt()).isEqualTo(new Prompt.Text("once"));
        assertThatThrownBy(() -> requests.completion(Json.parseObject(
                "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}".getBytes(StandardCharsets.UTF_8))))
                .hasMessage("one prompt per request is supported, got 2");

        OpenAiRequests.EmbeddingInput input = requests.embeddings(Json.parseObject(
                "{\"model\":\"e\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(input.inputs()).isEqualTo(List.of("a", "b"));
        assertThat(input.base64()).isTrue();
        assertThatThrownBy(() -> requests.embeddings(Json.parseObject(
                "{\"model\":\"e\",\"input\":[[1,2]]}".getBytes(StandardCharsets.UTF_8))))
                .hasMessage("invalid type for 'input[0]': expected a string, but got an array instead");
    }
}
