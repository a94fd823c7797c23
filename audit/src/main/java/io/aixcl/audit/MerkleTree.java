package io.aixcl.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 6962 tree of a log, kept as its right frontier (the "compact range"): the roots of the perfect subtrees
 * that the binary digits of the size describe, largest first. Appending merges at most log2(n) of them, and the
 * root of the whole tree is available at any size without keeping the leaves. Not thread-safe.
 */
public final class MerkleTree {

    private final ArrayList<Hash> frontier = new ArrayList<>();
    private long size;

    public long size() {
        return size;
    }

    public void append(Hash leafHash) {
        appendPerfect(leafHash, 0);
    }

    /**
     * Appends a whole perfect subtree of {@code 2^height} leaves whose root is {@code subtreeRoot}. The subtree must
     * start at a multiple of its width, which is what lets parallel scanners hash aligned blocks on their own.
     */
    public void appendPerfect(Hash subtreeRoot, int height) {
        long width = 1L << height;
        if (size % width != 0) {
            throw new IllegalArgumentException("a subtree of " + width + " leaves cannot start at " + size);
        }
        Hash h = subtreeRoot;
        // Each set low bit of size/width is a subtree of the same height waiting for a right sibling.
        for (long s = size >>> height; (s & 1) == 1; s >>>= 1) {
            h = TreeHashing.node(frontier.removeLast(), h);
        }
        frontier.add(h);
        size += width;
    }

    public Hash root() {
        if (frontier.isEmpty()) {
            return TreeHashing.EMPTY_ROOT;
        }
        Hash r = frontier.getLast();
        for (int i = frontier.size() - 2; i >= 0; i--) {
            r = TreeHashing.node(frontier.get(i), r);
        }
        return r;
    }

    /** The frontier, largest subtree first: enough to resume appending after a restart. */
    public List<Hash> frontier() {
        return List.copyOf(frontier);
    }

    public MerkleTree copy() {
        MerkleTree t = new MerkleTree();
        t.frontier.addAll(frontier);
        t.size = size;
        return t;
    }
}
