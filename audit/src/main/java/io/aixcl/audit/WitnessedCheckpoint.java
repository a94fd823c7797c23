package io.aixcl.audit;

import java.nio.file.Path;
import java.util.Optional;

/** A checkpoint file as found on disk: where it was, and either what it says or why it cannot be trusted. */
record WitnessedCheckpoint(Path file, Optional<Checkpoint> checkpoint, Optional<String> untrusted) {

    static WitnessedCheckpoint read(Path file, NoteVerifier trusted) {
        String note;
        try {
            note = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return new WitnessedCheckpoint(file, Optional.empty(), Optional.of("cannot be read: " + e.getMessage()));
        }
        try {
            Checkpoint c = Checkpoint.open(note, trusted);
            if (!c.origin().equals(trusted.name())) {
                return new WitnessedCheckpoint(file, Optional.empty(),
                        Optional.of("is for log " + c.origin() + ", not " + trusted.name()));
            }
            return new WitnessedCheckpoint(file, Optional.of(c), Optional.empty());
        } catch (SignedNote.InvalidNoteException e) {
            return new WitnessedCheckpoint(file, Optional.empty(), Optional.of(e.getMessage()));
        }
    }
}
