package io.aixcl.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The RFC 6962 proof that the tree of {@code fromSize} leaves is a prefix of the tree of {@code toSize} leaves. */
public record ConsistencyProof(long fromSize, long toSize, List<Hash> path) {

    public ConsistencyProof {
        if (fromSize < 0 || fromSize > toSize) {
            throw new IllegalArgumentException("no consistency proof from " + fromSize + " to " + toSize);
        }
        path = List.copyOf(path);
    }

    /** PROOF(m, D[n]) of RFC 6962 section 2.1.2; empty when m is 0 or m equals n. */
    public static ConsistencyProof build(LeafHashes leaves, long fromSize, long toSize) {
        Objects.requireNonNull(leaves, "leaves is null");
        if (fromSize < 0 || fromSize > toSize) {
            throw new IllegalArgumentException("no consistency proof from " + fromSize + " to " + toSize);
        }
        List<Hash> path = new ArrayList<>();
        if (fromSize > 0 && fromSize < toSize) {
            subproof(leaves, fromSize, 0, toSize, true, path);
        }
        return new ConsistencyProof(fromSize, toSize, path.reversed());
    }

    // SUBPROOF(m, D[lo:hi], b), iterative: nodes are found top-down and emitted bottom-up.
    private static void subproof(LeafHashes leaves, long m, long lo, long hi, boolean whole, List<Hash> topDown) {
        while (m != hi - lo) {
            long k = Proofs.largestPowerOfTwoBelow(hi - lo);
            if (m <= k) {
                topDown.add(leaves.subtreeRoot(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(leaves.subtreeRoot(lo, lo + k));
                m -= k;
                lo = lo + k;
                whole = false;
            }
        }
        if (!whole) {
            topDown.add(leaves.subtreeRoot(lo, hi));
        }
    }

    /** RFC 9162 section 2.1.4.2: is {@code oldRoot} (of fromSize) consistent with {@code newRoot} (of toSize)? */
    public boolean verifies(Hash oldRoot, Hash newRoot) {
        if (fromSize == toSize) {
            return path.isEmpty() && oldRoot.equals(newRoot);
        }
        if (fromSize == 0) {
            // Every tree extends the empty one; RFC 9162 defines no proof for it.
            return path.isEmpty() && oldRoot.equals(TreeHashing.EMPTY_ROOT);
        }
        if (path.isEmpty()) {
            return false;
        }
        List<Hash> p = path;
        if (Long.bitCount(fromSize) == 1) {
            p = new ArrayList<>(path);
            p.addFirst(oldRoot);
        }
        long fn = fromSize - 1;
        long sn = toSize - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        Hash fr = p.getFirst();
        Hash sr = p.getFirst();
        for (Hash c : p.subList(1, p.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = TreeHashing.node(c, fr);
                sr = TreeHashing.node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = TreeHashing.node(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && fr.equals(oldRoot) && sr.equals(newRoot);
    }
}
