package io.aixcl.cli.render;

import io.aixcl.api.Dtos;
import java.io.PrintStream;
import java.util.List;

/** The last lines of {@code stack start}, printed alike by the fast path and the ordinary one. */
public final class StartSummary {

    private StartSummary() {
    }

    public static void print(PrintStream out, Dtos.Event result, double seconds) {
        out.println("stack is up: profile '" + result.result().get("profile") + "' (" + Format.tenths(seconds) + "s)");
        if (result.result().get("needsContainerEngine") instanceof List<?> waiting && !waiting.isEmpty()) {
            out.println("inference runs on the " + result.result().get("inference") + " engine; not started, "
                    + "for want of a container engine: " + String.join(", ", waiting.stream()
                    .map(String::valueOf).toList()));
        }
    }
}
