package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    @Test
    void defaultsListenOnOllamasLoopbackPortWithCorsOff() {
        GatewayConfig config = GatewayConfig.defaults();
        assertThat(config.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 11434));
        assertThat(config.corsOrigins()).isEmpty();
        assertThat(config.allowedHosts()).isEmpty();
        assertThat(config.maxBodyBytes()).isEqualTo(4 << 20);
        assertThat(config.defaultMaxTokens()).isLessThanOrEqualTo(config.maxTokensLimit());
        assertThat(config.streamWriteTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aStreamWriteTimeoutIsPositiveAndKeptByTheOtherSettings() {
        assertThatThrownBy(() -> GatewayConfig.defaults().withStreamWriteTimeout(Duration.ZERO))
                .hasMessage("stream write timeout must be positive: PT0S");
        assertThatThrownBy(() -> GatewayConfig.defaults().withStreamWriteTimeout(null))
                .hasMessage("streamWriteTimeout is null");
        GatewayConfig config = GatewayConfig.defaults().withStreamWriteTimeout(Duration.ofSeconds(5))
                .withListen(new InetSocketAddress("127.0.0.1", 0)).withTokenLimits(100, 10).withMaxBodyBytes(4096);
        assertThat(config.streamWriteTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void onlyLoopbackAddressesAndWellFormedNamesAndOriginsAreAccepted() {
        assertThatThrownBy(() -> GatewayConfig.defaults().withListen(new InetSocketAddress("0.0.0.0", 1)))
                .hasMessageContaining("loopback only");
        assertThatThrownBy(() -> GatewayConfig.defaults().withAllowedHosts(Set.of("host:80")))
                .hasMessage("not a host name (no port, no scheme): 'host:80'");
        assertThatThrownBy(() -> GatewayConfig.defaults().withCorsOrigins(Set.of("*")))
                .hasMessage("not a browser origin (scheme://host[:port]): '*'");
        assertThatThrownBy(() -> GatewayConfig.defaults().withTokenLimits(100, 200))
                .hasMessage("default max_tokens out of range [1, 100]: 200");
        assertThat(GatewayConfig.defaults().withAllowedHosts(Set.of("My.Lan")).allowedHosts()).containsExactly("my.lan");
        assertThat(GatewayConfig.defaults().withCorsOrigins(Set.of("HTTP://localhost:3000")).corsOrigins())
                .containsExactly("http://localhost:3000");
    }
}
