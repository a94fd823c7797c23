package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UrlPolicyTest {

    @Test
    void httpsIsAlwaysAllowedAndPlainHttpOnlyForLoopbackOrWhenAllowed() {
        assertThatCode(() -> UrlPolicy.check(URI.create("https://huggingface.co/x"), false)).doesNotThrowAnyException();
        assertThatCode(() -> UrlPolicy.check(URI.create("http://127.0.0.1:8080/x"), false)).doesNotThrowAnyException();
        assertThatCode(() -> UrlPolicy.check(URI.create("http://[::1]:8080/x"), false)).doesNotThrowAnyException();
        assertThatCode(() -> UrlPolicy.check(URI.create("http://mirror.lan/x"), true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> UrlPolicy.check(URI.create("http://mirror.lan/x"), false)).hasMessageContaining("plain http to mirror.lan refused");
        assertThatThrownBy(() -> UrlPolicy.check(URI.create("file:///etc/passwd"), true)).hasMessageContaining("scheme 'file' is not allowed");
        assertThatThrownBy(() -> UrlPolicy.check(URI.create("https://u:p@host/x"), false)).hasMessageContaining("credentials refused");
    }

    @Test
    void loopbackIsJudgedByTheLiteralNameNeverByDns() {
        assertThat(UrlPolicy.isLoopback("localhost")).isTrue();
        assertThat(UrlPolicy.isLoopback("127.1.2.3")).isTrue();
        assertThat(UrlPolicy.isLoopback("localhost.attacker.com")).isFalse();
        assertThat(UrlPolicy.isLoopback("127.0.0.1.nip.io")).isFalse();
    }

    @Test
    void redirectsNeverDowngradeAndGoToOtherHostsOnlyOverHttps() {
        URI registry = URI.create("https://registry.ollama.ai/v2/library/m/blobs/sha256:x");
        assertThatCode(() -> UrlPolicy.checkRedirect(registry, URI.create("https://cdn.r2.dev/blob?sig=1"), false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> UrlPolicy.checkRedirect(registry, URI.create("http://registry.ollama.ai/x"), true))
                .hasMessageContaining("it would downgrade https to plain http");
        assertThatThrownBy(() -> UrlPolicy.checkRedirect(URI.create("http://mirror.lan/x"), URI.create("http://other.lan/x"), true))
                .hasMessageContaining("a redirect to another host must use https");
        assertThatCode(() -> UrlPolicy.checkRedirect(URI.create("http://mirror.lan/x"), URI.create("http://mirror.lan/y"), true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> UrlPolicy.checkRedirect(registry, URI.create("https://cdn/x?X-Amz-Signature=secret").resolve("ftp://cdn/x"), false))
                .hasMessageContaining("scheme 'ftp'");
    }

    @Test
    void redactedUrlsDropTheQueryWhereSignedUrlsKeepTheirCredentials() {
        assertThat(UrlPolicy.redact(URI.create("https://cdn.example/blob?X-Amz-Signature=secret"))).isEqualTo("https://cdn.example/blob");
    }

    @Test
    void proxiesComeFromTheEnvironmentAndNoProxyBypassesThem() {
        var proxies = new EnvProxySelector(Map.of("HTTPS_PROXY", "http://proxy.corp:3128", "no_proxy", ".internal, mirror.lan:8443,*.svc"));

        assertThat(proxies.select(URI.create("https://huggingface.co/x"))).singleElement()
                .satisfies(p -> assertThat(p.address().toString()).startsWith("proxy.corp").endsWith(":3128"));
        assertThat(proxies.select(URI.create("http://huggingface.co/x"))).containsExactly(Proxy.NO_PROXY); // no HTTP_PROXY
        assertThat(proxies.select(URI.create("https://models.internal/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(proxies.select(URI.create("https://mirror.lan:8443/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(proxies.select(URI.create("https://mirror.lan/x"))).doesNotContain(Proxy.NO_PROXY);
        assertThat(proxies.select(URI.create("https://a.b.svc/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(proxies.select(URI.create("https://127.0.0.1:9/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(proxies.problem()).isEmpty();
        assertThat(new EnvProxySelector(Map.of("NO_PROXY", "*", "HTTPS_PROXY", "proxy:1")).select(URI.create("https://x.y/z")))
                .containsExactly(Proxy.NO_PROXY);
    }
}
