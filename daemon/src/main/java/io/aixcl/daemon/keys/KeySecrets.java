package io.aixcl.daemon.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Making inference keys and hashing them. A key is {@code aixk_} and 43 random base62 characters (256 bits): base62
 * so it survives any client's quoting and double-click selection; the prefix lets scanners recognise a leaked key.
 */
public final class KeySecrets {
    public static final String PREFIX = "aixk_";
    static final int RANDOM_CHARS = 43;
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Every gateway request hashes its key: a provider lookup per request cost more than the hash itself. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(KeySecrets::newDigest);

    private KeySecrets() {}

    public static String newKey() {
        char[] chars = new char[PREFIX.length() + RANDOM_CHARS];
        PREFIX.getChars(0, PREFIX.length(), chars, 0);
        for (int i = PREFIX.length(); i < chars.length; i++) {
            chars[i] = BASE62[RANDOM.nextInt(BASE62.length)]; // nextInt(bound) is unbiased
        }
        return new String(chars);
    }

    /** A short public id for listings, usage and the audit log; random, so it says nothing about the key. */
    public static String newId() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return "key_" + HexFormat.of().formatHex(bytes);
    }

    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
