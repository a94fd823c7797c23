package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProofTest {

    private static final List<Hash> CT = MerkleTreeTest.CT_LEAVES.stream().map(TreeHashing::leaf).toList();

    private static List<Hash> hashes(String... hex) {
        return List.of(hex).stream().map(Hash::fromHex).toList();
    }

    private static Hash ctRoot(int size) {
        return Hash.fromHex(MerkleTreeTest.CT_ROOTS.get(size));
    }

    @Test
    void inclusionProofsMatchTheCertificateTransparencyVectors() {
        assertThat(InclusionProof.build(LeafHashes.of(CT), 0, 8).path()).isEqualTo(hashes(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"));
        assertThat(InclusionProof.build(LeafHashes.of(CT), 5, 8).path()).isEqualTo(hashes(
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
    }

    @Test
    void consistencyProofMatchesTheCertificateTransparencyVector() {
        ConsistencyProof proof = ConsistencyProof.build(LeafHashes.of(CT), 2, 5);
        assertThat(proof.path()).isEqualTo(hashes(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"));
        assertThat(proof.verifies(ctRoot(2), ctRoot(5))).isTrue();
        assertThat(proof.verifies(ctRoot(3), ctRoot(5))).isFalse();
    }

    @Test
    void everyInclusionProofInSmallTreesMatchesTheNaiveOneAndVerifies() {
        List<Hash> leaves = leaves(40, new Random(1));
        for (int n = 1; n <= leaves.size(); n++) {
            List<Hash> tree = leaves.subList(0, n);
            Hash root = NaiveMerkle.mth(tree);
            for (int i = 0; i < n; i++) {
                InclusionProof proof = InclusionProof.build(LeafHashes.of(tree), i, n);
                assertThat(proof.path()).isEqualTo(NaiveMerkle.path(i, tree));
                assertThat(proof.verifies(tree.get(i), root)).as("leaf %d of %d", i, n).isTrue();
                assertThat(proof.verifies(leaves.get((i + 1) % leaves.size()), root)).isFalse();
            }
        }
    }

    @Test
    void everyConsistencyProofInSmallTreesMatchesTheNaiveOneAndVerifies() {
        List<Hash> leaves = leaves(40, new Random(2));
        for (int n = 1; n <= leaves.size(); n++) {
            Hash newRoot = NaiveMerkle.mth(leaves.subList(0, n));
            for (int m = 0; m <= n; m++) {
                Hash oldRoot = NaiveMerkle.mth(leaves.subList(0, m));
                ConsistencyProof proof = ConsistencyProof.build(LeafHashes.of(leaves), m, n);
                assertThat(proof.path()).isEqualTo(NaiveMerkle.consistency(m, leaves.subList(0, n)));
                assertThat(proof.verifies(oldRoot, newRoot)).as("%d -> %d", m, n).isTrue();
                if (m > 0 && m < n) {
                    assertThat(proof.verifies(newRoot, oldRoot)).isFalse();
                    assertThat(proof.verifies(NaiveMerkle.mth(leaves.subList(0, m - 1)), newRoot)).isFalse();
                }
            }
        }
    }

    @Test
    void proofsRoundTripAtRandomSizes() {
        Random random = new Random(42);
        List<Hash> leaves = leaves(5_000, random);
        MerkleTree tree = new MerkleTree();
        List<Hash> roots = new ArrayList<>();
        roots.add(tree.root());
        for (Hash leaf : leaves) {
            tree.append(leaf);
            roots.add(tree.root());
        }
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(leaves.size());
            int i = random.nextInt(n);
            int m = random.nextInt(n + 1);
            InclusionProof inclusion = InclusionProof.build(LeafHashes.of(leaves), i, n);
            assertThat(inclusion.verifies(leaves.get(i), roots.get(n))).isTrue();
            assertThat(inclusion.verifies(leaves.get(i), roots.get(n - 1))).isEqualTo(n - 1 == n);
            ConsistencyProof consistency = ConsistencyProof.build(LeafHashes.of(leaves), m, n);
            assertThat(consistency.verifies(roots.get(m), roots.get(n))).isTrue();
            if (m > 0 && m < n) {
                List<Hash> bent = new ArrayList<>(consistency.path());
                int at = random.nextInt(bent.size());
                bent.set(at, leaves.get(random.nextInt(leaves.size())));
                assertThat(new ConsistencyProof(m, n, bent).verifies(roots.get(m), roots.get(n))).isFalse();
            }
        }
    }

    private static List<Hash> leaves(int n, Random random) {
        List<Hash> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[8];
            random.nextBytes(b);
            out.add(TreeHashing.leaf(b));
        }
        return out;
    }
}
