package io.aixcl.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void knownValueIsScrubbedWhereverItAppears() {
        Redactor r = new Redactor();
        r.learn("Zq8-pW_3kLm9aB2c".toCharArray());
        assertThat(r.scrub("password=Zq8-pW_3kLm9aB2c; again:Zq8-pW_3kLm9aB2cZq8-pW_3kLm9aB2c"))
                .isEqualTo("password=[REDACTED]; again:[REDACTED][REDACTED]");
    }

    @Test
    void textWithoutSecretsIsReturnedAsIs() {
        Redactor r = new Redactor();
        r.learn("Zq8-pW_3kLm9aB2c".toCharArray());
        String text = "nothing to see here: Zq8-pW_3kLm9aB2";
        assertThat(r.scrub(text)).isSameAs(text);
        assertThat(new Redactor().scrub(text)).isSameAs(text);
    }

    @Test
    void longestValueWinsSoADerivedLineIsReplacedWhole() {
        Redactor r = new Redactor();
        r.learn("pw-0123456789abc".toCharArray());
        r.learn("127.0.0.1:5432:*:aixcl:pw-0123456789abc".toCharArray());
        assertThat(r.scrub("pgpass 127.0.0.1:5432:*:aixcl:pw-0123456789abc and pw-0123456789abc"))
                .isEqualTo("pgpass [REDACTED] and [REDACTED]");
    }

    @Test
    void jsonEscapedFormIsScrubbedToo() {
        Redactor r = new Redactor();
        r.learn("quote\"back\\slash".toCharArray());
        assertThat(r.scrub("{\"v\":\"quote\\\"back\\\\slash\"}")).isEqualTo("{\"v\":\"[REDACTED]\"}");
    }

    @Test
    void shortValuesAreNotLearnedBecauseTheyWouldScrubOrdinaryWords() {
        Redactor r = new Redactor();
        r.learn("abc".toCharArray());
        assertThat(r.scrub("abc")).isEqualTo("abc");
    }

    @Test
    void learnCopiesSoTheCallerMayWipeItsArray() {
        Redactor r = new Redactor();
        char[] v = "Zq8-pW_3kLm9aB2c".toCharArray();
        r.learn(v);
        Arrays.fill(v, '\0');
        assertThat(r.scrub("x Zq8-pW_3kLm9aB2c")).isEqualTo("x [REDACTED]");
    }

    @Test
    void secretSoundingParameterNamesAreRecognised() {
        assertThat(List.of("password", "dbPassword", "API_KEY", "x-auth-token", "client_secret", "Authorization",
                "passphrase", "privateKey", "key")).allMatch(Redactor::isSecretName);
        assertThat(List.of("name", "monkey", "profile", "POSTGRES_PASSWORD_FILE", "secretName", "keyPath",
                "tokenizer", "")).noneMatch(Redactor::isSecretName);
    }

    @Test
    void parametersAreRedactedByNameAndScrubbedByValueThroughNesting() {
        Redactor r = new Redactor();
        r.learn("Zq8-pW_3kLm9aB2c".toCharArray());
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("token", "abc");
        nested.put("note", "was Zq8-pW_3kLm9aB2c");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("profile", "dev");
        params.put("password", "whatever");
        params.put("count", 3);
        params.put("nested", nested);
        params.put("list", List.of("Zq8-pW_3kLm9aB2c", 1));
        params.put("apiKey", null);
        Map<String, Object> redacted = r.parameters(params);
        assertThat(redacted).containsEntry("profile", "dev").containsEntry("password", Redactor.MARK)
                .containsEntry("count", 3)
                .containsEntry("nested", Map.of("token", Redactor.MARK, "note", "was [REDACTED]"))
                .containsEntry("list", List.of(Redactor.MARK, 1))
                .containsEntry("apiKey", null);
        assertThat(redacted.keySet()).containsExactly("profile", "password", "count", "nested", "list", "apiKey");
    }

    @Test
    void anApiKeyIsScrubbedByItsShapeWithoutBeingLearned() {
        String key = "aixk_" + "Ab3".repeat(14) + "Z";
        assertThat(new Redactor().scrub("POST /v1/keys/" + key + "/revoke: no key '" + key + "'"))
                .isEqualTo("POST /v1/keys/[REDACTED]/revoke: no key '[REDACTED]'");
        String notAKey = "aixk_short and aixk_ alone";
        assertThat(new Redactor().scrub(notAKey)).isSameAs(notAKey);
    }
}
