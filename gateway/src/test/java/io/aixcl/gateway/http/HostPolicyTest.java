package io.aixcl.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HostPolicyTest {

    private final HostPolicy policy = new HostPolicy(Set.of("gateway.lan"));

    @Test
    void loopbackNamesOnAnyPortAndConfiguredNamesAreAllowed() {
        assertThat(policy.allows("localhost")).isTrue();
        assertThat(policy.allows("localhost:11434")).isTrue();
        assertThat(policy.allows("LocalHost:80")).isTrue();
        assertThat(policy.allows("localhost.")).isTrue();
        assertThat(policy.allows("127.0.0.1:8080")).isTrue();
        assertThat(policy.allows("[::1]")).isTrue();
        assertThat(policy.allows("[::1]:11434")).isTrue();
        assertThat(policy.allows("gateway.lan:443")).isTrue();
    }

    @Test
    void everythingElseIsRefused() {
        assertThat(policy.allows(null)).isFalse();
        assertThat(policy.allows("")).isFalse();
        assertThat(policy.allows("evil.example")).isFalse();
        assertThat(policy.allows("localhost.evil.example")).isFalse();
        assertThat(policy.allows("127.0.0.2")).isFalse();
        assertThat(policy.allows("localhost:")).isFalse();
        assertThat(policy.allows("localhost:80a")).isFalse();
        assertThat(policy.allows("localhost:1234567")).isFalse();
        assertThat(policy.allows("[::1")).isFalse();
        assertThat(policy.allows("[::2]:80")).isFalse();
        assertThat(policy.allows("localhost@evil.example")).isFalse();
    }
}
