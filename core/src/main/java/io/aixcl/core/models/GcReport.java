package io.aixcl.core.models;

import java.util.List;

/**
 * What gc removed (or would remove, on a dry run). {@code keptRecent} are unreferenced blobs younger than the
 * grace period: a pull may be about to publish a manifest naming them.
 */
public record GcReport(List<Digest> removedBlobs, long freedBytes, List<String> removedPartials, List<Digest> keptRecent) {
    public GcReport {
        removedBlobs = List.copyOf(removedBlobs);
        removedPartials = List.copyOf(removedPartials);
        keptRecent = List.copyOf(keptRecent);
    }
}
