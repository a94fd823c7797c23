package io.aixcl.secrets;

import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit key every secret is encrypted with, from the key file or derived from a passphrase. Closing it wipes
 * the bytes this class holds (the JDK's cipher objects keep their own short-lived copies).
 */
public final class MasterKey implements AutoCloseable {
    private final byte[] key;
    private final String origin;

    MasterKey(byte[] key, String origin) {
        if (key.length != SecretCipher.KEY_BYTES) {
            throw new IllegalArgumentException("a master key has " + SecretCipher.KEY_BYTES + " bytes, got "
                    + key.length);
        }
        this.key = key.clone();
        this.origin = origin;
        Arrays.fill(key, (byte) 0);
    }

    SecretKeySpec spec() {
        return SecretCipher.keySpec(key);
    }

    /** Where the key came from, for messages: a key file's path or "the passphrase in FILE". */
    public String origin() {
        return origin;
    }

    @Override
    public void close() {
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "MasterKey(" + origin + ")";
    }
}
