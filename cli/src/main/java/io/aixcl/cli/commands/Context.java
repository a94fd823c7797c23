package io.aixcl.cli.commands;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.client.DaemonClient;
import java.io.PrintStream;

/** What every command gets: where to print, and the daemon. Built once per run by {@code Main}. */
public record Context(PrintStream out, PrintStream err, AixclPaths paths, boolean tty) {

    public DaemonClient client() {
        return new DaemonClient(paths, true, msg -> err.println("aixcl: " + msg));
    }

    public DaemonClient clientNoStart() {
        return new DaemonClient(paths, false, msg -> { });
    }
}
