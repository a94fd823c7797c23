package io.aixcl.audit;

import java.util.List;

/** Random access to the leaf hashes of a log, which is what proofs are built from. */
@FunctionalInterface
public interface LeafHashes {

    Hash leaf(long index);

    static LeafHashes of(List<Hash> leaves) {
        return i -> leaves.get(Math.toIntExact(i));
    }

    /** MTH(D[from:to]) of RFC 6962, computed from the leaves in O(to - from). */
    default Hash subtreeRoot(long from, long to) {
        if (to <= from) {
            return TreeHashing.EMPTY_ROOT;
        }
        MerkleTree t = new MerkleTree();
        for (long i = from; i < to; i++) {
            t.append(leaf(i));
        }
        // A range [from, to) hashed alone is the RFC 6962 tree of its own leaves: the frontier fold is exactly that.
        return t.root();
    }
}
