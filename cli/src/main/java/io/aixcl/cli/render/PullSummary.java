package io.aixcl.cli.render;

import io.aixcl.api.Dtos;
import java.io.PrintStream;
import java.util.Map;

/** The last line of {@code models add}, printed alike by the fast path and the ordinary one. */
public final class PullSummary {

    private PullSummary() {
    }

    public static void print(PrintStream out, Dtos.Event result) {
        Map<String, Object> r = result.result();
        out.println("added " + r.get("name") + " (" + Format.bytes(((Number) r.get("sizeBytes")).longValue())
                + ", " + Format.bytes(((Number) r.get("downloadedBytes")).longValue()) + " downloaded)");
    }
}
