package io.aixcl.cli.commands;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.client.DaemonClient;
import io.aixcl.cli.client.DaemonLauncher;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "daemon", description = "Control aixcld, the daemon every command talks to.",
        subcommands = {DaemonCommand.Start.class, DaemonCommand.Stop.class, DaemonCommand.Status.class})
public final class DaemonCommand {
    @ParentCommand Root root;

    @Command(name = "start", description = "Start aixcld in the background (commands also start it on demand).")
    static final class Start implements Callable<Integer> {
        @ParentCommand DaemonCommand parent;

        @Option(names = "--listen", paramLabel = "ADDR:PORT",
                description = "Also serve the API over TLS on ADDR:PORT, with bearer tokens (see 'aixcl tokens').")
        String listen;

        @Option(names = "--allow-remote", description = "Allow a --listen address that other machines can reach.")
        boolean allowRemote;

        @Option(names = "--need-client-auth", description = "Require client certificates from the local CA on --listen.")
        boolean needClientAuth;

        @Option(names = "--audit-override", description = "Run even though the audit log does not match its witnessed "
                + "checkpoint (the override itself is recorded). Look first: aixcl audit verify.")
        boolean auditOverride;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            DaemonClient client = c.clientNoStart();
            if (client.running()) {
                c.out().println("aixcld is already running (socket " + c.paths().socket() + ")");
                return ExitCodes.OK;
            }
            java.util.List<String> args = new java.util.ArrayList<>();
            if (listen != null) {
                args.addAll(java.util.List.of("--listen", listen));
            }
            if (allowRemote) {
                args.add("--allow-remote");
            }
            if (needClientAuth) {
                args.add("--need-client-auth");
            }
            if (auditOverride) {
                args.add("--audit-override");
            }
            long pid = new DaemonLauncher(c.paths()).launch(args);
            c.out().println("aixcld started (pid " + pid + ", socket " + c.paths().socket() + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "stop", description = "Stop aixcld (running containers keep running).")
    static final class Stop implements Callable<Integer> {
        @ParentCommand DaemonCommand parent;

        @Override
        public Integer call() throws InterruptedException {
            Context c = parent.root.ctx();
            DaemonClient client = c.clientNoStart();
            if (!client.isRemote() && !client.running()) {
                c.out().println("aixcld is not running");
                return ExitCodes.OK;
            }
            Dtos.DaemonInfo info = client.get(ApiPaths.DAEMON, Dtos.DaemonInfo.class);
            client.post(ApiPaths.DAEMON_STOP, Map.of(), Map.class);
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < deadline && (client.running()
                    || ProcessHandle.of(info.pid()).map(ProcessHandle::isAlive).orElse(false))) {
                Thread.sleep(25);
            }
            c.out().println("aixcld stopped (pid " + info.pid() + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", description = "Whether aixcld runs, and where.")
    static final class Status implements Callable<Integer> {
        @ParentCommand DaemonCommand parent;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            DaemonClient client = c.clientNoStart();
            // A remote daemon is asked directly, so a TLS or token failure is reported as what it is.
            if (!client.isRemote() && !client.running()) {
                if (json.json) {
                    Printing.json(c.out(), Map.of("running", false, "socket", c.paths().socket().toString()));
                } else {
                    c.out().println("aixcld is not running (socket " + c.paths().socket() + ")");
                }
                return ExitCodes.DAEMON_UNAVAILABLE;
            }
            Dtos.DaemonInfo i = client.get(ApiPaths.DAEMON, Dtos.DaemonInfo.class);
            if (json.json) {
                Printing.json(c.out(), i);
            } else {
                c.out().printf("aixcld %s running: pid %d, up %ss, user %s%n", i.version(), i.pid(),
                        i.uptimeSeconds(), i.user());
                c.out().printf("socket:  %s%nconfig:  %s%ndata:    %s%nstack file: %s%ndefault profile: %s%n",
                        i.socket(), i.configDir(), i.dataDir(), i.stackFile(), i.defaultProfile());
            }
            return ExitCodes.OK;
        }
    }
}
