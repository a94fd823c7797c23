package io.aixcl.audit;

import java.util.Objects;

/**
 * A C2SP tlog-checkpoint body: the log's origin line, its size, and the base64 root hash, each ending in a newline.
 * Signed as a {@link SignedNote}; see {@link #sign} and {@link #open}.
 */
public record Checkpoint(String origin, long size, Hash root) {

    public Checkpoint {
        Objects.requireNonNull(origin, "origin is null");
        if (origin.isEmpty() || origin.contains("\n")) {
            throw new IllegalArgumentException("an origin is one non-empty line");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size is negative");
        }
        Objects.requireNonNull(root, "root is null");
    }

    public String body() {
        return origin + "\n" + size + "\n" + root.base64() + "\n";
    }

    /** Parses a checkpoint body; extension lines after the root are allowed by the format and ignored. */
    public static Checkpoint parse(String body) {
        String[] lines = body.split("\n", -1);
        if (lines.length < 4 || !lines[lines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("a checkpoint has an origin, a size and a root hash line");
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("checkpoint size is not a decimal number: " + lines[1]);
        }
        Hash root = Hash.fromBase64(lines[2]);
        if (!root.base64().equals(lines[2])) {
            throw new IllegalArgumentException("checkpoint root hash is not canonical base64");
        }
        return new Checkpoint(lines[0], Long.parseLong(lines[1]), root);
    }

    public String sign(NoteSigner signer) {
        return SignedNote.sign(body(), signer);
    }

    /** Opens a signed checkpoint note with the trusted key; throws if it is not signed by it. */
    public static Checkpoint open(String note, NoteVerifier trusted) throws SignedNote.InvalidNoteException {
        String text = SignedNote.open(note, trusted);
        Checkpoint c;
        try {
            c = parse(text);
        } catch (IllegalArgumentException e) {
            throw new SignedNote.InvalidNoteException("malformed checkpoint: " + e.getMessage());
        }
        return c;
    }
}
