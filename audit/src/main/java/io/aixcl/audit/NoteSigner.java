package io.aixcl.audit;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/** The private half of a signed-note key: signs note texts as {@link #verifier()}'s name. */
public final class NoteSigner {

    private final PrivateKey privateKey;
    private final NoteVerifier verifier;

    public NoteSigner(PrivateKey privateKey, NoteVerifier verifier) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey is null");
        this.verifier = Objects.requireNonNull(verifier, "verifier is null");
        // A mismatched pair would sign checkpoints nobody can verify: find out now, not at the next start.
        byte[] probe = "aixcl audit key pair check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (!verifier.verifies(probe, sign(probe))) {
            throw new IllegalArgumentException("the private key does not belong to verifier key " + verifier.name());
        }
    }

    public NoteVerifier verifier() {
        return verifier;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    public byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifier.name() + "]";
    }
}
