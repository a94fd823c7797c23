package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedNoteTest {

    // The example key and note of the Go reference implementation (golang.org/x/mod/sumdb/note).
    static final String VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"; // 0x01 || Ed25519 seed
    static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String NOTE = TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FF"
            + "YC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    static NoteSigner peterNeumann() throws Exception {
        byte[] seed = Arrays.copyOfRange(Base64.getDecoder().decode(SEED), 1, 33);
        byte[] der = HexFormat.of().parseHex("302e020100300506032b657004220420" + HexFormat.of().formatHex(seed));
        var key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        return new NoteSigner(key, NoteVerifier.parse(VKEY));
    }

    @Test
    void signingReproducesTheReferenceNoteByteForByte() throws Exception {
        assertThat(SignedNote.sign(TEXT, peterNeumann())).isEqualTo(NOTE);
    }

    @Test
    void verifierKeyRoundTripsThroughItsTextForm() {
        NoteVerifier v = NoteVerifier.parse(VKEY);
        assertThat(v.name()).isEqualTo("PeterNeumann");
        assertThat(v.keyHash()).isEqualTo(0xc74f20a3);
        assertThat(v.format()).isEqualTo(VKEY);
    }

    @Test
    void aVerifierKeyWithTheWrongHashIsRejected() {
        assertThatThrownBy(() -> NoteVerifier.parse(VKEY.replace("c74f20a3", "c74f20a4")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openingReturnsTheTextOnlyWhenTheTrustedKeySignedIt() throws Exception {
        assertThat(SignedNote.open(NOTE, NoteVerifier.parse(VKEY))).isEqualTo(TEXT);
        assertThatThrownBy(() -> SignedNote.open(NOTE.replace("cryptography", "cryptographY"), NoteVerifier.parse(VKEY)))
                .isInstanceOf(SignedNote.InvalidNoteException.class).hasMessageContaining("does not verify");
        NoteVerifier stranger = SigningKeyFiles.generate("PeterNeumann").verifier();
        assertThatThrownBy(() -> SignedNote.open(NOTE, stranger)).isInstanceOf(SignedNote.InvalidNoteException.class);
        NoteVerifier otherName = SigningKeyFiles.generate("aixcl.local/audit").verifier();
        assertThatThrownBy(() -> SignedNote.open(NOTE, otherName))
                .isInstanceOf(SignedNote.InvalidNoteException.class).hasMessageContaining("no signature by");
    }

    @Test
    void checkpointRoundTripsThroughASignedNote() throws Exception {
        NoteSigner signer = SigningKeyFiles.generate("aixcl.local/audit");
        Checkpoint c = new Checkpoint("aixcl.local/audit", 42, TreeHashing.leaf(new byte[] {1}));
        String note = c.sign(signer);
        assertThat(note).startsWith("aixcl.local/audit\n42\n" + c.root().base64() + "\n\n\u2014 aixcl.local/audit ");
        assertThat(Checkpoint.open(note, signer.verifier())).isEqualTo(c);
        assertThatThrownBy(() -> Checkpoint.open(note.replace("\n42\n", "\n43\n"), signer.verifier()))
                .isInstanceOf(SignedNote.InvalidNoteException.class);
    }

    @Test
    void keyFilesRoundTripAndThePrivateKeyIsOwnerOnly(@TempDir Path dir) throws Exception {
        NoteSigner signer = SigningKeyFiles.generate("aixcl.local/audit");
        SigningKeyFiles.write(signer, dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("checkpoint.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("checkpoint.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        NoteSigner read = SigningKeyFiles.read(dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"));
        assertThat(read.verifier()).isEqualTo(signer.verifier());
        assertThatThrownBy(() -> SigningKeyFiles.write(signer, dir.resolve("checkpoint.key"), dir.resolve("x.pub")))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }
}
