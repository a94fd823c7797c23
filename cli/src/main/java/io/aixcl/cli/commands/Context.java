package io.aixcl.cli.commands;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.client.DaemonClient;
import java.io.PrintStream;

/** What every command gets: where to print, and the daemon. Built once per run by {@code Main}. */
public record Context(PrintStream out, PrintStream err, AixclPaths paths, boolean tty, RemoteOptions remote) {

    public Context(PrintStream out, PrintStream err, AixclPaths paths, boolean tty) {
        this(out, err, paths, tty, RemoteOptions.LOCAL);
    }

    public Context withRemote(RemoteOptions remote) {
        return new Context(out, err, paths, tty, remote);
    }

    public DaemonClient client() {
        if (remote.host().isPresent()) {
            return DaemonClient.remote(paths, remote.connect(paths));
        }
        return new DaemonClient(paths, true, msg -> err.println("aixcl: " + msg));
    }

    /** Posts a streamed operation, printing its progress as it comes; returns its final result event. */
    public io.aixcl.api.Dtos.Event operate(String path, Object body) {
        return client().stream("POST", path, body, new io.aixcl.cli.render.ProgressPrinter(out, tty)::accept);
    }

    public DaemonClient clientNoStart() {
        if (remote.host().isPresent()) {
            return DaemonClient.remote(paths, remote.connect(paths));
        }
        return new DaemonClient(paths, false, msg -> { });
    }
}
