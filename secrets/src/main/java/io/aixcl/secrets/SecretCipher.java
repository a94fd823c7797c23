package io.aixcl.secrets;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a fresh random 96-bit nonce per encryption. The additional authenticated data binds a ciphertext
 * to where it belongs (a secret's name and version), so a file copied over another fails to decrypt.
 */
final class SecretCipher {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    record Sealed(byte[] nonce, byte[] ciphertext) {}

    /** The data does not decrypt under this key with this context: wrong key, changed file, or swapped file. */
    static final class Unauthentic extends Exception {
        Unauthentic(Throwable cause) {
            super(cause);
        }
    }

    private SecretCipher() {}

    static Sealed seal(MasterKey key, byte[] plaintext, byte[] aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return new Sealed(nonce, c.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
    }

    /** The plaintext; the caller wipes it when done. */
    static byte[] open(MasterKey key, Sealed sealed, byte[] aad) throws Unauthentic {
        if (sealed.nonce() == null || sealed.nonce().length != NONCE_BYTES || sealed.ciphertext() == null) {
            throw new Unauthentic(new IllegalArgumentException("missing or malformed nonce or ciphertext"));
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            c.updateAAD(aad);
            return c.doFinal(sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new Unauthentic(e);
        } catch (GeneralSecurityException e) {
            throw new Unauthentic(e);
        }
    }

    static SecretKeySpec keySpec(byte[] key) {
        return new SecretKeySpec(key, "AES");
    }
}
