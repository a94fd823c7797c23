package io.aixcl.cli.commands;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.api.Json;
import io.aixcl.audit.AuditStore;
import io.aixcl.audit.AuditTool;
import io.aixcl.audit.Checkpoint;
import io.aixcl.audit.ConsistencyProof;
import io.aixcl.audit.Hash;
import io.aixcl.audit.InclusionProof;
import io.aixcl.audit.NoteVerifier;
import io.aixcl.audit.SignedNote;
import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "audit", description = "The tamper-evident audit log of every action.",
        subcommands = {AuditCommand.Tail.class, AuditCommand.Verify.class, AuditCommand.CheckpointCmd.class,
                AuditCommand.Prove.class})
public final class AuditCommand {
    @ParentCommand Root root;

    static Path dataDir(Context c) {
        return dataDir(c.paths());
    }

    static Path witnessDir(Context c) {
        return witnessDir(c.paths());
    }

    /** The log's folder under the data folder (also the CLI's fast path for {@code audit verify}). */
    public static Path dataDir(AixclPaths paths) {
        return paths.data().resolve("audit");
    }

    /** The witness folder, in the config folder: outside the data folder a rewrite of the log would replace. */
    public static Path witnessDir(AixclPaths paths) {
        return paths.config().resolve("audit-witness");
    }

    /** The key proofs are checked with: the witness's copy, outside the data folder a rewrite would replace. */
    static NoteVerifier trustedKey(Context c, Optional<Path> keyFile) {
        Path file = keyFile.orElse(witnessDir(c).resolve(AuditStore.PUBLIC_KEY_FILE));
        try {
            return NoteVerifier.parse(Files.readString(file).strip());
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(ExitCodes.FAILED, "cannot read the trusted audit key " + file + ": " + e.getMessage());
        }
    }

    @Command(name = "tail", description = "The latest entries; --follow keeps printing new ones.")
    static final class Tail implements Callable<Integer> {
        @ParentCommand AuditCommand parent;
        @Mixin Options.JsonOutput json;
        @Option(names = {"-n", "--lines"}, defaultValue = "20", description = "How many of the latest entries.") int lines;
        @Option(names = {"-F", "--follow"}, description = "Keep printing new entries until interrupted.") boolean follow;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            String path = ApiPaths.AUDIT_ENTRIES + "?tail=" + lines;
            if (!follow) {
                List<Dtos.AuditEntry> entries = c.client().get(path,
                        new com.fasterxml.jackson.core.type.TypeReference<List<Dtos.AuditEntry>>() {});
                if (json.json) {
                    Printing.json(c.out(), entries);
                } else {
                    Table t = new Table("#", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAIL");
                    entries.forEach(e -> t.row(e.index(), e.time(), e.actor(), e.action(), e.target(), e.outcome(),
                            e.detail()));
                    t.print(c.out());
                }
                return ExitCodes.OK;
            }
            c.client().streamLogs(path + "&follow=true", e -> {
                Dtos.AuditEntry a = Json.MAPPER.convertValue(e.result(), Dtos.AuditEntry.class);
                if (json.json) {
                    try {
                        c.out().println(Json.MAPPER.writeValueAsString(a));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                        throw new IllegalStateException(ex);
                    }
                } else {
                    c.out().printf("%d  %s  %s  %s %s  %s%n", a.index(), a.time(), a.actor(), a.action(), a.target(),
                            a.outcome());
                }
                c.out().flush();
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", description = "Verify the log from its files alone (no daemon needed): hash chain, "
            + "Merkle tree, signed checkpoints, and the witnessed checkpoint.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand AuditCommand parent;
        @Option(names = "--checkpoint", paramLabel = "FILE",
                description = "Verify against this checkpoint (default: the witness copy in the config folder).")
        Path checkpoint;
        @Option(names = "--key", paramLabel = "FILE", description = "The trusted public key (default: the witness's).")
        Path key;
        @Option(names = "--data", paramLabel = "DIR", description = "The log's folder (default: the data folder's).")
        Path data;

        @Override
        public Integer call() throws IOException {
            Context c = parent.root.ctx();
            Path dir = data != null ? data : dataDir(c);
            AuditTool.Report report = AuditTool.verify(dir, Optional.of(checkpoint != null ? checkpoint : witnessDir(c)),
                    Optional.ofNullable(key));
            c.out().print(report.text());
            return report.valid() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    @Command(name = "checkpoint", description = "Print (or export) the latest signed checkpoint.")
    static final class CheckpointCmd implements Callable<Integer> {
        @ParentCommand AuditCommand parent;
        @Option(names = "--new", description = "Sign a new checkpoint covering every entry first.") boolean fresh;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write it to FILE.") Path output;

        @Override
        public Integer call() throws IOException {
            Context c = parent.root.ctx();
            @SuppressWarnings("unchecked")
            Map<String, String> answer = fresh ? c.client().post(ApiPaths.AUDIT_CHECKPOINT, Map.of(), Map.class)
                    : c.client().get(ApiPaths.AUDIT_CHECKPOINT, Map.class);
            String note = answer.get("checkpoint");
            if (output != null) {
                Files.writeString(output, note);
                c.err().println("wrote " + output);
            } else {
                c.out().print(note);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "prove", description = "Prove that entry INDEX is in the log (inclusion), or, with --since, that "
            + "the log now extends an older checkpoint without rewriting it (consistency). Checked here, against a "
            + "checkpoint signed by the trusted key.")
    static final class Prove implements Callable<Integer> {
        @ParentCommand AuditCommand parent;
        @Parameters(paramLabel = "INDEX", arity = "0..1", description = "The entry to prove.") Long index;
        @Option(names = "--since", paramLabel = "CHECKPOINT", description = "An older checkpoint file.") Path since;
        @Option(names = "--key", paramLabel = "FILE", description = "The trusted public key (default: the witness's).")
        Path key;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() throws IOException {
            Context c = parent.root.ctx();
            if ((index == null) == (since == null)) {
                throw new CliException(ExitCodes.INVALID_INPUT, "give an entry INDEX, or --since CHECKPOINT_FILE");
            }
            NoteVerifier trusted = trustedKey(c, Optional.ofNullable(key));
            Dtos.AuditProof proof = index != null
                    ? c.client().get(ApiPaths.AUDIT_PROOF + "?index=" + index, Dtos.AuditProof.class)
                    : c.client().get(ApiPaths.AUDIT_CONSISTENCY + "?from=" + open(Files.readString(since), trusted,
                            since.toString()).size(), Dtos.AuditProof.class);
            Checkpoint now = open(proof.checkpoint(), trusted, "the daemon's checkpoint");
            List<Hash> path = proof.path().stream().map(Hash::fromHex).toList();
            boolean ok;
            String what;
            if (index != null) {
                ok = now.size() == proof.treeSize()
                        && new InclusionProof(index, proof.treeSize(), path).verifies(Hash.fromHex(proof.leafHash()), now.root());
                what = "entry " + index + " is in the log of " + now.size() + " entries";
            } else {
                Checkpoint old = open(Files.readString(since), trusted, since.toString());
                ok = new ConsistencyProof(old.size(), now.size(), path).verifies(old.root(), now.root());
                what = "the log of " + now.size() + " entries extends the checkpoint of " + old.size()
                        + " entries without changing them";
            }
            if (json.json) {
                Printing.json(c.out(), Map.of("verified", ok, "claim", what, "proof", proof));
            } else {
                c.out().println((ok ? "verified: " : "NOT verified: ") + what + " (root " + now.root().base64() + ")");
            }
            return ok ? ExitCodes.OK : ExitCodes.FAILED;
        }

        private static Checkpoint open(String note, NoteVerifier trusted, String what) {
            try {
                return Checkpoint.open(note, trusted);
            } catch (SignedNote.InvalidNoteException e) {
                throw new CliException(ExitCodes.FAILED, what + " is not signed by the trusted key: " + e.getMessage());
            }
        }
    }
}
