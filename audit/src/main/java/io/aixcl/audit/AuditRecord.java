package io.aixcl.audit;

import io.aixcl.core.audit.AuditEvent;
import java.nio.charset.StandardCharsets;

/** One entry as stored: its position, its leaf hash, the hash it chains to, and its canonical JSON. */
public record AuditRecord(long index, Hash leafHash, Hash previousLeafHash, String canonicalJson) {

    public AuditEvent event() {
        return CanonicalEntry.decode(canonicalJson.getBytes(StandardCharsets.UTF_8));
    }
}
