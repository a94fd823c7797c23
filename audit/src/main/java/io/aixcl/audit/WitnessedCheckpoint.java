package io.aixcl.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint file as found on disk: where it was, whether it is the witness's copy (outside the data folder, so
 * the only one a thief of the signing key cannot rewrite), and either what it says or why it cannot be trusted.
 */
record WitnessedCheckpoint(Path file, boolean witness, Optional<Checkpoint> checkpoint, Optional<String> untrusted) {

    /** A checkpoint file's text as read, or why it could not be read. */
    record Note(Path file, boolean witness, Optional<String> text, Optional<String> unreadable) {

        /** The size the note's text claims, signature unchecked: where a scan should keep the tree's root. */
        Optional<Long> claimedSize() {
            return text.flatMap(t -> {
                int split = t.lastIndexOf("\n\n"); // as SignedNote.open splits text from signatures
                if (split < 0) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(Checkpoint.parse(t.substring(0, split + 1)).size());
                } catch (IllegalArgumentException e) {
                    return Optional.empty(); // malformed: open() will say so
                }
            });
        }
    }

    /** Reads the data folder's checkpoint and the witness's, each if present. */
    static List<WitnessedCheckpoint> read(Path dataCheckpoint, Optional<Path> witnessCheckpoint, NoteVerifier trusted) {
        return open(load(dataCheckpoint, witnessCheckpoint), trusted);
    }

    /** The texts of the data folder's checkpoint and the witness's, each if present, not yet checked. */
    static List<Note> load(Path dataCheckpoint, Optional<Path> witnessCheckpoint) {
        List<Note> out = new ArrayList<>();
        if (Files.exists(dataCheckpoint)) {
            out.add(load(dataCheckpoint, false));
        }
        if (witnessCheckpoint.isPresent() && Files.exists(witnessCheckpoint.get())) {
            out.add(load(witnessCheckpoint.get(), true));
        }
        return out;
    }

    private static Note load(Path file, boolean witness) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return new Note(file, witness, Optional.of(text), Optional.empty());
        } catch (IOException | UncheckedIOException e) {
            return new Note(file, witness, Optional.empty(), Optional.of("cannot be read: " + e.getMessage()));
        }
    }

    /** Checks each note's signature with the trusted key. */
    static List<WitnessedCheckpoint> open(List<Note> notes, NoteVerifier trusted) {
        List<WitnessedCheckpoint> out = new ArrayList<>();
        // Both copies usually hold the same note, and an Ed25519 verification costs milliseconds: check each text once.
        Map<String, WitnessedCheckpoint> byText = new HashMap<>();
        for (Note n : notes) {
            if (n.text().isEmpty()) {
                out.add(new WitnessedCheckpoint(n.file(), n.witness(), Optional.empty(), n.unreadable()));
                continue;
            }
            String note = n.text().get();
            WitnessedCheckpoint seen = byText.get(note);
            if (seen != null) {
                out.add(new WitnessedCheckpoint(n.file(), n.witness(), seen.checkpoint, seen.untrusted));
                continue;
            }
            WitnessedCheckpoint w = open(n.file(), n.witness(), note, trusted);
            byText.put(note, w);
            out.add(w);
        }
        return out;
    }

    private static WitnessedCheckpoint open(Path file, boolean witness, String note, NoteVerifier trusted) {
        try {
            Checkpoint c = Checkpoint.open(note, trusted);
            if (!c.origin().equals(trusted.name())) {
                return new WitnessedCheckpoint(file, witness, Optional.empty(),
                        Optional.of("is for log " + c.origin() + ", not " + trusted.name()));
            }
            return new WitnessedCheckpoint(file, witness, Optional.of(c), Optional.empty());
        } catch (SignedNote.InvalidNoteException e) {
            return new WitnessedCheckpoint(file, witness, Optional.empty(), Optional.of(e.getMessage()));
        }
    }
}
