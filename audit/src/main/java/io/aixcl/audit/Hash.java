package io.aixcl.audit;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/** A SHA-256 value (32 bytes): a leaf hash, an interior node or a tree root. Immutable. */
public final class Hash {

    public static final int SIZE = 32;

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Hash of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes is null");
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("a hash is 32 bytes, not " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /** Takes ownership of {@code bytes} without copying: for hot paths whose array is never touched again. */
    static Hash wrap(byte[] bytes) {
        return new Hash(bytes);
    }

    public static Hash fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public static Hash fromBase64(String base64) {
        return of(Base64.getDecoder().decode(base64));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The internal array, for hashing without a copy; callers must not modify it. */
    byte[] raw() {
        return bytes;
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        // Constant time: a hash compared against an attacker's value should not leak where they differ.
        return o instanceof Hash other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
