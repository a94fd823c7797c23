package io.aixcl.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 hashing: a leaf is {@code SHA-256(0x00 || entry)}, an interior node {@code SHA-256(0x01 || left || right)},
 * the empty tree {@code SHA-256("")}. The prefixes keep a leaf from ever being passed off as a node.
 */
public final class TreeHashing {

    public static final Hash EMPTY_ROOT = Hash.wrap(newDigest().digest());

    // MessageDigest.getInstance costs a provider lookup; one per thread keeps hashing allocation-light.
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(TreeHashing::newDigest);

    private TreeHashing() {}

    public static Hash leaf(byte[] entry) {
        return leaf(entry, 0, entry.length);
    }

    public static Hash leaf(byte[] buffer, int offset, int length) {
        MessageDigest d = DIGEST.get();
        d.update((byte) 0x00);
        d.update(buffer, offset, length);
        return Hash.wrap(d.digest());
    }

    public static Hash node(Hash left, Hash right) {
        MessageDigest d = DIGEST.get();
        d.update((byte) 0x01);
        d.update(left.raw());
        d.update(right.raw());
        return Hash.wrap(d.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
