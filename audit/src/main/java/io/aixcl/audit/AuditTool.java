package io.aixcl.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Offline entry points for the CLI (`aixcl audit verify`, `aixcl audit checkpoint`): they read the files directly, so
 * they work with the daemon stopped, on a copy, or on another machine. Also runnable on its own:
 * {@code java -cp ... io.aixcl.audit.AuditTool verify DATA_DIR [--witness DIR_OR_FILE] [--key PUBLIC_KEY_FILE]}.
 */
public final class AuditTool {

    /** A printable verdict; {@link #exitCode()} is 0 for a valid log and 1 for an invalid one. */
    public record Report(Verification verification, String text) {
        public boolean valid() {
            return verification instanceof Verification.Valid;
        }

        public int exitCode() {
            return valid() ? 0 : 1;
        }
    }

    private AuditTool() {}

    /**
     * Verifies the log in {@code dataDir}. The trusted key is {@code publicKeyFile} if given, else the witness
     * folder's copy, else (with a warning in the report) the data folder's own, which a rewritten log could replace.
     */
    public static Report verify(Path dataDir, Optional<Path> witness, Optional<Path> publicKeyFile) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            throw new IOException(dataDir + " is not an audit log folder");
        }
        StringBuilder notes = new StringBuilder();
        Path keyFile;
        if (publicKeyFile.isPresent()) {
            keyFile = publicKeyFile.get();
        } else if (witness.isPresent() && Files.isDirectory(witness.get())
                && Files.exists(witness.get().resolve(AuditStore.PUBLIC_KEY_FILE))) {
            keyFile = witness.get().resolve(AuditStore.PUBLIC_KEY_FILE);
        } else {
            keyFile = dataDir.resolve(AuditStore.PUBLIC_KEY_FILE);
            notes.append("  warning: trusting the key in the data folder; a log rewritten together with its key "
                    + "would pass. Give the witness folder or --key.\n");
        }
        if (witness.isEmpty()) {
            notes.append("  warning: no witness checkpoint given; a truncated or rolled-back log that kept its own "
                    + "older checkpoint would pass.\n");
        }
        long started = System.nanoTime();
        TrustedKey key = new TrustedKey(keyFile);
        Verification v = AuditVerifier.verify(dataDir, witness, key);
        double seconds = (System.nanoTime() - started) / 1e9;
        NoteVerifier trusted = key.read;
        StringBuilder text = new StringBuilder();
        switch (v) {
            case Verification.Valid valid -> {
                text.append("audit log ").append(dataDir).append(": VALID\n");
                text.append("  entries:   ").append(valid.size()).append('\n');
                text.append("  root:      ").append(valid.root().hex()).append('\n');
                text.append("  witnessed: ").append(valid.witnessedSize()).append(" entries, by checkpoints signed by ")
                        .append(trusted.format()).append('\n');
                if (valid.witnessedSize() < valid.size()) {
                    text.append("  note: the last ").append(valid.size() - valid.witnessedSize())
                            .append(" entries are after the latest checkpoint: only the hash chain protects them\n");
                }
            }
            case Verification.Invalid invalid -> {
                text.append("audit log ").append(dataDir).append(": INVALID at entry ").append(invalid.firstBadIndex())
                        .append('\n');
                text.append("  reason: ").append(invalid.reason()).append('\n');
            }
        }
        text.append(notes);
        text.append(String.format("  checked in %.2f s%n", seconds));
        return new Report(v, text.toString());
    }

    /** The key file, read by the verifier while it scans the log; kept for the report. */
    private static final class TrustedKey implements AuditVerifier.KeySource {
        private final Path file;
        private NoteVerifier read;

        TrustedKey(Path file) {
            this.file = file;
        }

        @Override
        public NoteVerifier get() throws IOException {
            read = SigningKeyFiles.readPublic(file);
            return read;
        }
    }

    /** The latest signed checkpoint in the data folder (C2SP tlog-checkpoint text), for export. */
    public static Optional<String> latestCheckpoint(Path dataDir) throws IOException {
        Path file = dataDir.resolve(AuditVerifier.CHECKPOINT_FILE);
        return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length < 2 || !args[0].equals("verify")) {
            System.err.println("usage: AuditTool verify DATA_DIR [--witness DIR_OR_FILE] [--key PUBLIC_KEY_FILE]");
            return 2;
        }
        Optional<Path> witness = Optional.empty();
        Optional<Path> key = Optional.empty();
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                System.err.println("missing value for " + args[i]);
                return 2;
            }
            switch (args[i]) {
                case "--witness" -> witness = Optional.of(Path.of(args[i + 1]));
                case "--key" -> key = Optional.of(Path.of(args[i + 1]));
                default -> {
                    System.err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        try {
            Report report = verify(Path.of(args[1]), witness, key);
            System.out.print(report.text());
            return report.exitCode();
        } catch (IOException | RuntimeException e) {
            System.err.println("audit verify: " + e.getMessage());
            return 2;
        }
    }
}
