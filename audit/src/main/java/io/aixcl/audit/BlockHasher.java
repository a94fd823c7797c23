package io.aixcl.audit;

import java.security.DigestException;
import java.security.MessageDigest;

/**
 * The verifier's hot loop: leaf hashes and the compact range of one block of leaves, hashed into a flat array with one
 * digest and no allocation per record. Equivalent to {@link TreeHashing} + {@link MerkleTree}, which stay the
 * readable reference (and the tests hold the two to the same roots).
 */
final class BlockHasher {

    private MessageDigest digest = TreeHashing.newDigest();
    private final byte[] stack = new byte[64 * Hash.SIZE]; // subtree roots, largest first, as in MerkleTree
    private final byte[] node = new byte[1 + 2 * Hash.SIZE]; // 0x01 || left || right
    private int depth;
    private long size;

    BlockHasher() {
        node[0] = 0x01;
    }

    long size() {
        return size;
    }

    /**
     * Starts a new block, with a clone of the digest. The JDK's Java SHA-256 (what runs until the JIT's C2 has
     * compiled the hashing with the CPU's SHA-256 instructions) makes a message-schedule array on first use, and from
     * then on every digest clears it (an {@code Arrays.fill} of 256 bytes, twice per record: ~4% of a scan's CPU)
     * though C2's code never reads it; a clone has none. Blocks are at most {@value LogScanner#BLOCK} leaves,
     * so only those hashed before C2's code came pay the clearing.
     */
    void reset() {
        digest.reset(); // a no-op unless a previous use was cut short
        digest = fresh(digest);
        depth = 0;
        size = 0;
    }

    /**
     * SHA-256(0x00 || entry) into {@code out[0..32)}, for the entry at {@code buf[offset, offset + length)}. The byte
     * before the entry ({@code offset >= 1}) lends its place to the 0x00 prefix and is put back: the digest gets one
     * update over the record's own bytes. A separate one-byte update left the digest's block buffer partly filled,
     * so the next 63 bytes were copied into it and compressed as a block of their own.
     */
    void leaf(byte[] buf, int offset, int length, byte[] out) {
        int prefix = offset - 1;
        byte lent = buf[prefix];
        buf[prefix] = 0x00;
        digest.update(buf, prefix, length + 1);
        buf[prefix] = lent;
        finish(out, 0);
    }

    void append(byte[] leaf) {
        System.arraycopy(leaf, 0, stack, depth * Hash.SIZE, Hash.SIZE);
        depth++;
        for (long s = size; (s & 1) == 1; s >>>= 1) {
            // node(left = stack[depth-2], right = stack[depth-1]) replaces both
            int left = (depth - 2) * Hash.SIZE;
            System.arraycopy(stack, left, node, 1, 2 * Hash.SIZE);
            digest.update(node, 0, node.length);
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

    private static MessageDigest fresh(MessageDigest d) {
        try {
            return (MessageDigest) d.clone();
        } catch (CloneNotSupportedException e) {
            return TreeHashing.newDigest(); // the JDK's SHA-256 can be cloned; any other is made anew
        }
    }

    private void finish(byte[] out, int offset) {
        try {
            digest.digest(out, offset, Hash.SIZE);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }
}
