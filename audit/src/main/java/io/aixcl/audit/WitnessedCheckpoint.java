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

    /** Reads the data folder's checkpoint and the witness's, each if present. */
    static List<WitnessedCheckpoint> read(Path dataCheckpoint, Optional<Path> witnessCheckpoint, NoteVerifier trusted) {
        List<WitnessedCheckpoint> out = new ArrayList<>();
        // Both copies usually hold the same note, and an Ed25519 verification costs milliseconds: check each text once.
        Map<String, WitnessedCheckpoint> byText = new HashMap<>();
        if (Files.exists(dataCheckpoint)) {
            out.add(read(dataCheckpoint, false, trusted, byText));
        }
        if (witnessCheckpoint.isPresent() && Files.exists(witnessCheckpoint.get())) {
            out.add(read(witnessCheckpoint.get(), true, trusted, byText));
        }
        return out;
    }

    private static WitnessedCheckpoint read(Path file, boolean witness, NoteVerifier trusted,
                                            Map<String, WitnessedCheckpoint> byText) {
        String note;
        try {
            note = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return new WitnessedCheckpoint(file, witness, Optional.empty(),
                    Optional.of("cannot be read: " + e.getMessage()));
        }
        WitnessedCheckpoint seen = byText.get(note);
        if (seen != null) {
            return new WitnessedCheckpoint(file, witness, seen.checkpoint, seen.untrusted);
        }
        WitnessedCheckpoint w = open(file, witness, note, trusted);
        byText.put(note, w);
        return w;
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
