package io.aixcl.daemon.audit;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.audit.AuditRecord;
import io.aixcl.audit.AuditStore;
import io.aixcl.audit.ConsistencyProof;
import io.aixcl.audit.Hash;
import io.aixcl.audit.InclusionProof;
import io.aixcl.core.AixclException;
import io.aixcl.core.audit.AuditEvent;
import io.aixcl.daemon.http.ErrorMapping;
import io.aixcl.daemon.http.Exchange;
import io.aixcl.daemon.http.Router;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Reading the audit log through the daemon: entries (and following them), checkpoints, proofs. */
public final class AuditRoutes {
    private static final int MAX_PAGE = 1000;

    private final AuditStore store;

    public AuditRoutes(AuditStore store) {
        this.store = store;
    }

    public void register(Router r) {
        r.get(ApiPaths.AUDIT_ENTRIES, this::entries);
        r.get(ApiPaths.AUDIT_CHECKPOINT, ex -> ex.ok(Map.of("checkpoint", store.latestCheckpoint()
                .orElseThrow(() -> new AixclException.NotFound("no checkpoint has been written yet")))));
        r.post(ApiPaths.AUDIT_CHECKPOINT, ex -> ex.ok(Map.of("checkpoint", store.checkpoint())));
        r.get(ApiPaths.AUDIT_PROOF, this::inclusion);
        r.get(ApiPaths.AUDIT_CONSISTENCY, this::consistency);
    }

    /** {@code tail=N}: the last N entries; {@code from=I}: from index I; {@code follow=true}: then new ones. */
    private void entries(Exchange ex) throws Exception {
        long size = store.size();
        int tail = ex.queryInt("tail", -1);
        long from = tail >= 0 ? Math.max(0, size - tail) : ex.queryInt("from", 0);
        if (from < 0) {
            throw new ErrorMapping.BadRequest("from must not be negative");
        }
        if (!ex.queryBool("follow")) {
            ex.ok(page(from, (int) Math.min(MAX_PAGE, Math.max(0, size - from))));
            return;
        }
        try (Exchange.EventStream stream = ex.stream()) {
            long next = from;
            while (!stream.cancellation().cancelled()) {
                for (Dtos.AuditEntry e : page(next, MAX_PAGE)) {
                    stream.send(new Dtos.Event("audit", null, null, null, null, null, 0, 0, null, null, null, null,
                            io.aixcl.api.Json.MAPPER.convertValue(e, Map.class)));
                    next = e.index() + 1;
                }
                store.awaitSize(next + 1, Duration.ofMillis(500)); // wakes on an append, or to notice Ctrl-C
            }
        }
    }

    private List<Dtos.AuditEntry> page(long from, int max) throws IOException {
        return store.read(from, max).stream().map(AuditRoutes::entry).toList();
    }

    static Dtos.AuditEntry entry(AuditRecord r) {
        AuditEvent e = r.event();
        return new Dtos.AuditEntry(r.index(), r.leafHash().hex(), e.time().toString(), e.actor().toString(),
                e.action(), e.target(), e.parameters(), e.outcome().name().toLowerCase(), e.detail());
    }

    /** Proves entry {@code index} against a checkpoint signed now, so the proof's root is one the client can trust. */
    private void inclusion(Exchange ex) throws IOException {
        long index = ex.queryInt("index", -1);
        String checkpoint = store.checkpoint();
        long size = io.aixcl.audit.Checkpoint.parse(body(checkpoint)).size();
        if (index < 0 || index >= size) {
            throw new AixclException.NotFound("no entry " + index + ": the log has " + size + " entries");
        }
        InclusionProof p = store.proveInclusion(index, size);
        Hash leaf = store.read(index, 1).getFirst().leafHash();
        ex.ok(new Dtos.AuditProof(index, 0, size, leaf.hex(), p.path().stream().map(Hash::hex).toList(), checkpoint));
    }

    private void consistency(Exchange ex) throws IOException {
        long from = ex.queryInt("from", -1);
        String checkpoint = store.checkpoint();
        long size = io.aixcl.audit.Checkpoint.parse(body(checkpoint)).size();
        if (from < 0 || from > size) {
            throw new ErrorMapping.BadRequest("from must be between 0 and the log's size " + size);
        }
        ConsistencyProof p = store.proveConsistency(from, size);
        ex.ok(new Dtos.AuditProof(-1, from, size, null, p.path().stream().map(Hash::hex).toList(), checkpoint));
    }

    /** The checkpoint text before its signature lines (a signed note's body ends at the blank line). */
    static String body(String note) {
        int end = note.indexOf("\n\n");
        return end < 0 ? note : note.substring(0, end + 1);
    }
}
