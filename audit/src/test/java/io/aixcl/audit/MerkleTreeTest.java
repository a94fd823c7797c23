package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    // The Certificate Transparency reference leaves and the published root for each size 0..8.
    static final List<byte[]> CT_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f").stream().map(HexFormat.of()::parseHex).toList();
    static final List<String> CT_ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void emptyTreeRootIsSha256OfNothing() {
        assertThat(new MerkleTree().root().hex()).isEqualTo(CT_ROOTS.getFirst());
        assertThat(TreeHashing.EMPTY_ROOT.hex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void rootAtEverySizeMatchesTheCertificateTransparencyVectors() {
        MerkleTree tree = new MerkleTree();
        for (int n = 1; n <= CT_LEAVES.size(); n++) {
            tree.append(TreeHashing.leaf(CT_LEAVES.get(n - 1)));
            assertThat(tree.size()).isEqualTo(n);
            assertThat(tree.root().hex()).as("size %d", n).isEqualTo(CT_ROOTS.get(n));
        }
    }

    @Test
    void incrementalRootEqualsTheNaiveRecursiveDefinitionForManySizes() {
        Random random = new Random(6962);
        List<Hash> leaves = new ArrayList<>();
        MerkleTree tree = new MerkleTree();
        for (int n = 1; n <= 300; n++) {
            byte[] entry = new byte[random.nextInt(40)];
            random.nextBytes(entry);
            Hash leaf = TreeHashing.leaf(entry);
            assertThat(leaf).isEqualTo(NaiveMerkle.leaf(entry));
            leaves.add(leaf);
            tree.append(leaf);
            assertThat(tree.root()).as("size %d", n).isEqualTo(NaiveMerkle.mth(leaves));
        }
        assertThat(tree.frontier()).hasSize(Long.bitCount(300));
    }

    @Test
    void appendingAlignedPerfectSubtreesGivesTheSameRootAsAppendingTheirLeaves() {
        List<Hash> leaves = IntStream.range(0, 100).mapToObj(i -> TreeHashing.leaf(new byte[] {(byte) i})).toList();
        MerkleTree byLeaf = new MerkleTree();
        leaves.forEach(byLeaf::append);

        MerkleTree byBlock = new MerkleTree();
        LeafHashes source = LeafHashes.of(leaves);
        byBlock.appendPerfect(source.subtreeRoot(0, 64), 6);
        byBlock.appendPerfect(source.subtreeRoot(64, 96), 5);
        for (int i = 96; i < 100; i++) {
            byBlock.append(leaves.get(i));
        }
        assertThat(byBlock.root()).isEqualTo(byLeaf.root());
        assertThat(byBlock.size()).isEqualTo(100);
    }

    @Test
    void aPerfectSubtreeMustStartAtAMultipleOfItsWidth() {
        MerkleTree tree = new MerkleTree();
        tree.append(TreeHashing.leaf(new byte[0]));
        assertThatThrownBy(() -> tree.appendPerfect(TreeHashing.EMPTY_ROOT, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theVerifiersFlatBlockHasherAgreesWithTheReferenceTree() {
        BlockHasher block = new BlockHasher();
        MerkleTree tree = new MerkleTree();
        byte[] leaf = new byte[Hash.SIZE];
        for (int n = 1; n <= 1024; n++) {
            byte[] entry = ("entry " + n).repeat(n % 40).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // As in a record: the entry follows other bytes, one of which leaf() borrows for the prefix.
            byte[] record = new byte[entry.length + 2];
            record[0] = (byte) n;
            System.arraycopy(entry, 0, record, 1, entry.length);
            record[record.length - 1] = (byte) ~n;
            byte[] before = record.clone();
            block.leaf(record, 1, entry.length, leaf);
            assertThat(Hash.of(leaf)).isEqualTo(TreeHashing.leaf(entry));
            assertThat(record).as("the record is left as it was").isEqualTo(before);
            block.append(leaf);
            tree.append(TreeHashing.leaf(entry));
            assertThat(List.of(block.frontier())).as("size %d", n).isEqualTo(tree.frontier());
        }
        assertThat(block.perfectRoot()).isEqualTo(tree.root());
    }
}
