package io.aixcl.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The RFC 6962 audit path showing that leaf {@code index} is in the tree of {@code treeSize} leaves. */
public record InclusionProof(long index, long treeSize, List<Hash> path) {

    public InclusionProof {
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + treeSize);
        }
        path = List.copyOf(path);
    }

    /** PATH(m, D[n]) of RFC 6962 section 2.1.1. */
    public static InclusionProof build(LeafHashes leaves, long index, long treeSize) {
        Objects.requireNonNull(leaves, "leaves is null");
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + treeSize);
        }
        List<Hash> path = new ArrayList<>();
        long lo = 0;
        long hi = treeSize;
        // Walk down from the root; siblings are collected top-down, and the path lists them bottom-up.
        while (hi - lo > 1) {
            long k = Proofs.largestPowerOfTwoBelow(hi - lo);
            if (index - lo < k) {
                path.add(leaves.subtreeRoot(lo + k, hi));
                hi = lo + k;
            } else {
                path.add(leaves.subtreeRoot(lo, lo + k));
                lo = lo + k;
            }
        }
        return new InclusionProof(index, treeSize, path.reversed());
    }

    /** RFC 9162 section 2.1.3.2: does {@code leafHash} at this index lead to {@code root}? */
    public boolean verifies(Hash leafHash, Hash root) {
        long fn = index;
        long sn = treeSize - 1;
        Hash r = leafHash;
        for (Hash p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = TreeHashing.node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = TreeHashing.node(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && r.equals(root);
    }
}
