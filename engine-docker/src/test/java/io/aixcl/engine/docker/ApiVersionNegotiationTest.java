package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.core.RemoteApiVersion;
import io.aixcl.core.AixclException;
import org.junit.jupiter.api.Test;

class ApiVersionNegotiationTest {

    @Test
    void versionsCompareNumericallyNotAsText() {
        assertThat(ApiVersion.parse("1.9")).isLessThan(ApiVersion.parse("1.41"));
        assertThat(ApiVersion.parse("1.41")).hasToString("1.41");
        assertThatThrownBy(() -> ApiVersion.parse("v1.41")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void speaksTheServersVersionWhenTheAdapterKnowsIt() {
        assertThat(ApiVersionNegotiation.negotiate(ApiVersion.parse("1.41"), ApiVersion.parse("1.24")))
                .isEqualTo(ApiVersion.parse("1.41"));
    }

    @Test
    void speaksTheAdaptersNewestVersionToANewerServer() {
        assertThat(ApiVersionNegotiation.negotiate(ApiVersion.parse("1.51"), ApiVersion.parse("1.24")))
                .isEqualTo(ApiVersionNegotiation.ADAPTER_MAX);
    }

    @Test
    void refusesAServerWhoseMinimumIsAboveWhatTheAdapterSpeaks() {
        assertThatThrownBy(() -> ApiVersionNegotiation.negotiate(ApiVersion.parse("1.60"), ApiVersion.parse("1.50")))
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessageContaining("requires API version 1.50");
    }

    @Test
    void refusesAServerOlderThanTheAdapterNeeds() {
        assertThatThrownBy(() -> ApiVersionNegotiation.negotiate(ApiVersion.parse("1.30"), ApiVersion.parse("1.12")))
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessageContaining("upgrade the engine");
    }

    @Test
    void adapterMaximumIsAVersionDockerJavaModels() {
        assertThat(RemoteApiVersion.parseConfig(ApiVersionNegotiation.ADAPTER_MAX.toString()).isGreaterOrEqual(
                RemoteApiVersion.VERSION_1_44)).isTrue();
    }

    @Test
    void dockerJavasUnknownVersionAddsNoPathPrefix() {
        // Why the handshake can trust docker-java's unversioned mode, should it ever use it instead of raw paths.
        assertThat(RemoteApiVersion.UNKNOWN_VERSION.asWebPathPart()).isEmpty();
    }
}
