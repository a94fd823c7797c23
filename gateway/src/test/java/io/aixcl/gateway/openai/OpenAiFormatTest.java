package io.aixcl.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.TokenUsage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiFormatTest {

    @Test
    void streamChunksAreSseEventsAndTheCloseCarriesFinishUsageAndDone() {
        OpenAiFormat format = OpenAiFormat.chat("chatcmpl-1", 1700000000, "m", true);

        assertThat(new String(format.token("hé\""), StandardCharsets.UTF_8)).isEqualTo("data: {\"id\":\"chatcmpl-1\","
                + "\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\",\"system_fingerprint\":"
                + "null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hé\\\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}],\"usage\":null}\n\n");
        String closing = new String(format.closing(new Completion("x", FinishReason.LENGTH, new TokenUsage(3, 4))),
                StandardCharsets.UTF_8);
        assertThat(closing).contains("\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"")
                .contains("\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}")
                .endsWith("\n\ndata: [DONE]\n\n");
    }

    @Test
    void aCancelledGenerationStillReportsAReasonOpenAiDefines() {
        assertThat(OpenAiFormat.finishReason(FinishReason.CANCELLED)).isEqualTo("stop");
        assertThat(OpenAiFormat.finishReason(FinishReason.STOP)).isEqualTo("stop");
    }
}
