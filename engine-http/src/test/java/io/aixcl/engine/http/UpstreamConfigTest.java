package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamConfigTest {

    @Test
    void defaultsAreNamedAndTheBaseLosesItsTrailingSlash() {
        var config = UpstreamConfig.of(URI.create("http://127.0.0.1:11435/"));

        assertThat(config.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:11435"));
        assertThat(config.url("/api/version")).isEqualTo("http://127.0.0.1:11435/api/version");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.firstByteTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxConnections()).isEqualTo(256);
        assertThat(config.apiKeyFile()).isEmpty();
    }

    @Test
    void refusesUrlsThatAreNotPlainHttpBases() {
        assertThatThrownBy(() -> UpstreamConfig.of(URI.create("ftp://host/")))
                .hasMessageContaining("must be http or https");
        assertThatThrownBy(() -> UpstreamConfig.of(URI.create("http://user:secret@host:8000")))
                .hasMessage("an upstream URL must not carry credentials, a query or a fragment (give the API key as a"
                        + " file): http://host")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> UpstreamConfig.of(URI.create("http://host:8000/v1?key=x")))
                .hasMessageContaining("must not carry credentials, a query");
        assertThatThrownBy(() -> UpstreamConfig.of(URI.create("http:///path")))
                .hasMessageContaining("needs a host");
    }

    @Test
    void refusesTimeoutsThatCannotWork() {
        var config = UpstreamConfig.of(URI.create("http://127.0.0.1:8080"));

        assertThatThrownBy(() -> config.withTimeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("timeouts must be positive");
        assertThatThrownBy(() -> config.withMaxConnections(0)).hasMessageContaining("maxConnections out of range");
    }
}
