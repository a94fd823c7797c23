package io.aixcl.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * C2SP signed-note: a text ending in a newline, a blank line, then signature lines
 * {@code — <name> <base64(key hash || signature)>}. Signatures by keys the reader does not know are ignored.
 */
public final class SignedNote {

    private static final String DASH = "\u2014 ";

    private SignedNote() {}

    public static String sign(String text, NoteSigner signer) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("a note text ends with a newline");
        }
        byte[] sig = signer.sign(text.getBytes(StandardCharsets.UTF_8));
        byte[] blob = ByteBuffer.allocate(4 + sig.length).putInt(signer.verifier().keyHash()).put(sig).array();
        return text + "\n" + DASH + signer.verifier().name() + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }

    /** Returns the text of {@code note} if {@code verifier} signed it; otherwise throws with the reason. */
    public static String open(String note, NoteVerifier verifier) throws InvalidNoteException {
        int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n")) {
            throw new InvalidNoteException("malformed note: no blank line before the signatures");
        }
        String text = note.substring(0, split + 1);
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        boolean signedByName = false;
        for (String line : note.substring(split + 2).split("\n")) {
            if (!line.startsWith(DASH)) {
                throw new InvalidNoteException("malformed signature line: " + line);
            }
            String[] parts = line.substring(DASH.length()).split(" ");
            if (parts.length != 2) {
                throw new InvalidNoteException("malformed signature line: " + line);
            }
            byte[] blob;
            try {
                blob = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new InvalidNoteException("malformed signature line: " + line);
            }
            // Only the canonical encoding: otherwise unused padding bits would let a changed note verify.
            if (!Base64.getEncoder().encodeToString(blob).equals(parts[1])) {
                throw new InvalidNoteException("malformed signature line: non-canonical base64");
            }
            if (blob.length < 5 || !parts[0].equals(verifier.name())) {
                continue;
            }
            signedByName = true;
            if (ByteBuffer.wrap(blob).getInt() == verifier.keyHash()
                    && verifier.verifies(message, Arrays.copyOfRange(blob, 4, blob.length))) {
                return text;
            }
        }
        throw new InvalidNoteException(signedByName
                ? "the signature by " + verifier.name() + " does not verify against the trusted key"
                : "the note has no signature by " + verifier.name());
    }

    public static final class InvalidNoteException extends Exception {
        public InvalidNoteException(String message) {
            super(message);
        }
    }
}
