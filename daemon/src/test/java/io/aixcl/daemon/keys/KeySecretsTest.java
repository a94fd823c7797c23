package io.aixcl.daemon.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Keys are hashed with one digest per thread: each hash starts from a clean state, on every thread. */
class KeySecretsTest {

    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void theSameKeyHashesTheSameEveryTimeOnEveryThread() throws Exception {
        assertThat(KeySecrets.sha256Hex("abc")).isEqualTo(ABC); // FIPS 180-2's test vector
        String key = KeySecrets.newKey();
        String first = KeySecrets.sha256Hex(key);
        assertThat(KeySecrets.sha256Hex("abc")).isEqualTo(ABC);
        assertThat(KeySecrets.sha256Hex(key)).isEqualTo(first);
        assertThat(CompletableFuture.supplyAsync(() -> KeySecrets.sha256Hex(key)).get()).isEqualTo(first);
        assertThat(KeySecrets.sha256Hex("")).isEqualTo(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
