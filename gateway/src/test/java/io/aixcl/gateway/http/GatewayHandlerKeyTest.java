package io.aixcl.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayHandlerKeyTest {

    @Test
    void theBearerKeyIsTakenWhateverTheSchemesCaseAndAnythingElseIsNoKey() {
        assertThat(GatewayHandler.key("Bearer sk-1")).isEqualTo("sk-1");
        assertThat(GatewayHandler.key("bearer  sk-1 ")).isEqualTo("sk-1");
        assertThat(GatewayHandler.key("Basic dXNlcjpwYXNz")).isEmpty();
        assertThat(GatewayHandler.key("Bearer")).isEmpty();
        assertThat(GatewayHandler.key(null)).isEmpty();
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(GatewayHandler.retryAfterSeconds(Duration.ofMillis(6500))).isEqualTo("7");
        assertThat(GatewayHandler.retryAfterSeconds(Duration.ZERO)).isEqualTo("1");
        assertThat(GatewayHandler.retryAfterSeconds(Duration.ofSeconds(60))).isEqualTo("60");
    }
}
