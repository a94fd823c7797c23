package io.aixcl.audit;

import java.security.DigestException;
import java.security.MessageDigest;

/**
 * The verifier's hot loop: leaf hashes and the compact range of one block of leaves, hashed into a flat array with one
 * digest and no allocation per record. Equivalent to {@link TreeHashing} + {@link MerkleTree}, which stay the
 * readable reference (and the tests hold the two to the same roots).
 */
final class BlockHasher {

    private final MessageDigest digest = TreeHashing.newDigest();
    private final byte[] stack = new byte[64 * Hash.SIZE]; // subtree roots, largest first, as in MerkleTree
    private int depth;
    private long size;

    long size() {
        return size;
    }

    void reset() {
        digest.reset(); // a no-op unless a previous use was cut short
        depth = 0;
        size = 0;
    }

    /** SHA-256(0x00 || entry) into {@code out[0..32)}. */
    void leaf(byte[] buf, int offset, int length, byte[] out) {
        digest.update((byte) 0x00);
        digest.update(buf, offset, length);
        finish(out, 0);
    }

    void append(byte[] leaf) {
        System.arraycopy(leaf, 0, stack, depth * Hash.SIZE, Hash.SIZE);
        depth++;
        for (long s = size; (s & 1) == 1; s >>>= 1) {
            // node(left = stack[depth-2], right = stack[depth-1]) replaces both
            int left = (depth - 2) * Hash.SIZE;
            digest.update((byte) 0x01);
            digest.update(stack, left, 2 * Hash.SIZE);
            finish(stack, left);
            depth--;
        }
        size++;
    }

    /** The frontier, largest subtree first, as {@link MerkleTree#frontier()} would give it. */
    Hash[] frontier() {
        Hash[] out = new Hash[depth];
        for (int i = 0; i < depth; i++) {
            byte[] h = new byte[Hash.SIZE];
            System.arraycopy(stack, i * Hash.SIZE, h, 0, Hash.SIZE);
            out[i] = Hash.wrap(h);
        }
        return out;
    }

    /** The root of a full block (a power of two of leaves: the stack holds exactly one subtree). */
    Hash perfectRoot() {
        if (depth != 1) {
            throw new IllegalStateException("not a perfect subtree: " + size + " leaves");
        }
        return frontier()[0];
    }

    private void finish(byte[] out, int offset) {
        try {
            digest.digest(out, offset, Hash.SIZE);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }
}
