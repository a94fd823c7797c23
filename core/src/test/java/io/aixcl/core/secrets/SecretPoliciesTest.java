package io.aixcl.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretPoliciesTest {

    @Test
    void undeclaredSecretGetsARandomPassword() {
        assertThat(SecretPolicies.NONE.of("anything")).isEqualTo(new SecretPolicy.RandomPassword(32));
    }

    @Test
    void templateListsEachSourceOnceInOrder() {
        var t = new SecretPolicy.Template("${b}:${a}:${b}");
        assertThat(t.sources()).containsExactly("b", "a");
        assertThat(t.describe()).isEqualTo("derived from b, a");
    }

    @Test
    void templateWithoutASourceWouldBeADefaultValueAndIsRefused() {
        assertThatThrownBy(() -> new SecretPolicy.Template("changeme")).hasMessageContaining("default value");
        assertThatThrownBy(() -> new SecretPolicy.Template("${a} ${B}")).hasMessageContaining("malformed");
    }

    @Test
    void randomPoliciesRefuseWeakSizes() {
        assertThatThrownBy(() -> new SecretPolicy.RandomPassword(8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretPolicy.HexKey(4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivedSecretsComeAfterTheirSourcesTransitively() {
        Map<String, SecretPolicy> m = new LinkedHashMap<>();
        m.put("url", new SecretPolicy.Template("u:${pgpass}"));
        m.put("pgpass", new SecretPolicy.Template("h:${pw}"));
        m.put("other", new SecretPolicy.Template("${unrelated}"));
        m.put("both", new SecretPolicy.Template("${pw}/${url}"));
        var p = new SecretPolicies(m);
        assertThat(p.derivedFrom("pw")).containsExactly("pgpass", "url", "both");
        assertThat(p.derivedFrom("unrelated")).containsExactly("other");
        assertThat(p.derivedFrom("url")).containsExactly("both");
        assertThat(p.isDerived("url")).isTrue();
        assertThat(p.isDerived("pw")).isFalse();
    }

    @Test
    void cycleIsRefused() {
        assertThatThrownBy(() -> new SecretPolicies(Map.of("a", new SecretPolicy.Template("${b}"),
                "b", new SecretPolicy.Template("${a}")))).isInstanceOf(AixclException.InvalidInput.class)
                .hasMessageContaining("cycle");
    }
}
