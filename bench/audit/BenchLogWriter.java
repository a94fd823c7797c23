// In the audit package so it can write records with the log's own RecordFormat: a 1 GiB log built through the
// durable append path would take minutes of fsyncs, and the verify benchmark is about reading, not writing.
package io.aixcl.audit;

import io.aixcl.core.audit.AuditEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.zip.CRC32C;

/** Writes a log of about BYTES bytes in 64 MiB segments, signed and witnessed. Usage: BenchLogWriter DATA WITNESS BYTES */
public final class BenchLogWriter {

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        Path witness = Path.of(args[1]);
        long target = Long.parseLong(args[2]);
        long segmentBytes = 64L << 20;
        Files.createDirectories(data);
        Files.createDirectories(witness);
        NoteSigner signer = SigningKeyFiles.generate(AuditStoreConfig.DEFAULT_ORIGIN);
        SigningKeyFiles.write(signer, data.resolve(AuditStore.KEY_FILE), data.resolve(AuditStore.PUBLIC_KEY_FILE));
        SigningKeyFiles.writePublic(signer.verifier(), witness.resolve(AuditStore.PUBLIC_KEY_FILE));
        MerkleTree tree = new MerkleTree();
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(8 << 20);
        byte[] previous = RecordFormat.NO_PREVIOUS;
        long written = 0;
        long index = 0;
        while (written < target) {
            try (FileChannel ch = FileChannel.open(data.resolve(Segments.fileName(index)),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long inSegment = 0;
                while (inSegment < segmentBytes && written + inSegment < target) {
                    byte[] entry = CanonicalEntry.encode(event(index));
                    if (buf.remaining() < RecordFormat.frameSize(entry.length)) {
                        buf.flip();
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                        buf.clear();
                    }
                    Hash leaf = TreeHashing.leaf(entry);
                    RecordFormat.write(buf, index++, previous, leaf.raw(), entry, crc);
                    previous = leaf.raw();
                    tree.append(leaf);
                    inSegment += RecordFormat.frameSize(entry.length);
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                buf.clear();
                written += inSegment;
            }
        }
        String note = new Checkpoint(signer.verifier().name(), tree.size(), tree.root()).sign(signer);
        Files.writeString(data.resolve(AuditVerifier.CHECKPOINT_FILE), note);
        Files.writeString(witness.resolve(AuditVerifier.CHECKPOINT_FILE), note);
        System.out.printf("wrote %d entries, %d bytes, root %s%n", tree.size(), written, tree.root().hex());
    }

    static AuditEvent event(long n) {
        return new AuditEvent(Instant.ofEpochSecond(1_780_000_000L + n / 50, n % 50 * 20_000_000L),
                AuditEvent.Actor.uid(1000 + n % 3), n % 2 == 0 ? "stack.service.start" : "sandbox.approval.grant",
                "dev/open-webui-" + n % 97,
                Map.of("profile", "dev", "request", "req-" + Long.toHexString(n * 0x9E3779B97F4A7C15L),
                        "image", "ghcr.io/open-webui/open-webui:v0.6." + n % 40, "attempt", Long.toString(n % 5)),
                n % 17 == 0 ? AuditEvent.Outcome.REFUSED : AuditEvent.Outcome.SUCCEEDED,
                n % 17 == 0 ? "token scope too narrow" : "");
    }
}
