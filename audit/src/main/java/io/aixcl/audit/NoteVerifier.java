package io.aixcl.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A C2SP signed-note verifier key for Ed25519: a name, the 4-byte key hash that signature lines carry, and the
 * public key. Its text form is the standard {@code <name>+<hex key hash>+<base64(0x01 || public key)>}, which is
 * what the public key files hold, so other tlog tools can check aixcl checkpoints.
 */
public record NoteVerifier(String name, int keyHash, PublicKey publicKey) {

    static final byte ALG_ED25519 = 0x01;
    // DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519; the raw 32-byte key follows it.
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    public NoteVerifier {
        validateName(name);
        Objects.requireNonNull(publicKey, "publicKey is null");
        if (keyHash != keyHash(name, rawPublicKey(publicKey))) {
            throw new IllegalArgumentException("key hash does not match the key named " + name);
        }
    }

    public static NoteVerifier of(String name, PublicKey publicKey) {
        return new NoteVerifier(name, keyHash(name, rawPublicKey(publicKey)), publicKey);
    }

    /** Parses {@code name+hash+base64key}; the key material may itself contain '+'. */
    public static NoteVerifier parse(String vkey) {
        String v = vkey.strip();
        int first = v.indexOf('+');
        int second = first < 0 ? -1 : v.indexOf('+', first + 1);
        if (first <= 0 || second < 0 || second - first != 9) {
            throw new IllegalArgumentException("not a verifier key: expected name+hash+key");
        }
        String name = v.substring(0, first);
        int hash = Integer.parseUnsignedInt(v.substring(first + 1, second), 16);
        byte[] key = Base64.getDecoder().decode(v.substring(second + 1));
        if (key.length != 33 || key[0] != ALG_ED25519) {
            throw new IllegalArgumentException("verifier key is not an Ed25519 key");
        }
        return new NoteVerifier(name, hash, publicKeyFromRaw(Arrays.copyOfRange(key, 1, 33)));
    }

    public String format() {
        byte[] key = new byte[33];
        key[0] = ALG_ED25519;
        System.arraycopy(rawPublicKey(publicKey), 0, key, 1, 32);
        return name + "+" + String.format("%08x", keyHash) + "+" + Base64.getEncoder().encodeToString(key);
    }

    public boolean verifies(byte[] message, byte[] signature) {
        // An Ed25519 verification costs milliseconds in the JDK, and the same witness note is checked at every
        // start, every `verify` and every doctor run: remember recent answers, keyed by a hash of all the inputs.
        MessageDigest d = TreeHashing.newDigest();
        d.update(rawPublicKey(publicKey));
        d.update(ByteBuffer.allocate(8).putInt(message.length).putInt(signature.length).array());
        d.update(message);
        d.update(signature);
        Hash key = Hash.wrap(d.digest());
        Boolean known = RECENT.get(key);
        if (known != null) {
            return known;
        }
        boolean ok = verifyNow(message, signature);
        if (RECENT.size() >= 64) {
            RECENT.clear();
        }
        RECENT.put(key, ok);
        return ok;
    }

    private static final java.util.Map<Hash, Boolean> RECENT = new java.util.concurrent.ConcurrentHashMap<>();

    private boolean verifyNow(byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** C2SP signed-note: the first 4 bytes of SHA-256(name || "\n" || 0x01 || key), big-endian. */
    static int keyHash(String name, byte[] rawKey) {
        MessageDigest d = TreeHashing.newDigest();
        d.update(name.getBytes(StandardCharsets.UTF_8));
        d.update((byte) '\n');
        d.update(ALG_ED25519);
        d.update(rawKey);
        return ByteBuffer.wrap(d.digest()).getInt();
    }

    static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())
                || der.length != X509_PREFIX.length + 32
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(der, X509_PREFIX.length, der.length);
    }

    static PublicKey publicKeyFromRaw(byte[] raw) {
        byte[] der = new byte[X509_PREFIX.length + 32];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** Key names are non-empty, without spaces or '+' (signed-note), so signature lines parse unambiguously. */
    static void validateName(String name) {
        Objects.requireNonNull(name, "name is null");
        if (name.isEmpty() || name.chars().anyMatch(c -> c == '+' || Character.isWhitespace(c) || c < 0x21)) {
            throw new IllegalArgumentException("a key name is non-empty and has no spaces or '+': " + name);
        }
    }
}
