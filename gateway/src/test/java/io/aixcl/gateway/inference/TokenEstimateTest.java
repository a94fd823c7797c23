package io.aixcl.gateway.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {

    @Test
    void textCostsAtMostItsUtf8Bytes() {
        assertThat(TokenEstimate.ofText("")).isZero();
        assertThat(TokenEstimate.ofText("abcd")).isEqualTo(4);
        assertThat(TokenEstimate.ofText("é")).isEqualTo(2);
        assertThat(TokenEstimate.utf8Length("€😀")).isEqualTo(3 + 4);
    }

    @Test
    void aChatAddsTemplateTokensPerMessageAndAReservationAddsTheCompletionLimit() {
        Prompt chat = Prompt.chat(ChatMessage.system("abc"), ChatMessage.user("abcdef"));
        assertThat(TokenEstimate.of(chat)).isEqualTo(TokenEstimate.SPECIAL_TOKENS + 3 + 6
                + 2 * TokenEstimate.TEMPLATE_TOKENS_PER_MESSAGE);
        Generate generate = new Generate("m", chat, SamplingParams.defaults().withMaxTokens(100), false, false,
                java.util.Optional.empty());
        assertThat(generate.reserveTokens()).isEqualTo(TokenEstimate.of(chat) + 100);
    }
}
