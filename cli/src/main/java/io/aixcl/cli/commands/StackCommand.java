package io.aixcl.cli.commands;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import io.aixcl.cli.render.Format;
import io.aixcl.cli.render.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "stack", description = "Run the local LLM stack of a profile.",
        subcommands = {StackCommand.Start.class, StackCommand.Stop.class, StackCommand.Restart.class,
                StackCommand.Status.class, StackCommand.Logs.class, StackCommand.Plan.class, StackCommand.Down.class,
                StackCommand.Export.class})
public final class StackCommand {
    @ParentCommand
    Root root;

    Context ctx() {
        return root.ctx();
    }

    @Command(name = "start", description = "Validate, plan, pull, and start the profile's services in dependency order.")
    static final class Start implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;
        @Option(names = "--remove-orphans", description = "Remove containers of services no longer declared.")
        boolean removeOrphans;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            long t0 = System.nanoTime();
            Dtos.Event result = c.operate(ApiPaths.STACK_START,
                    new Dtos.StackRequest(stack.profile, stack.stackFilePath(), removeOrphans, false));
            double secs = (System.nanoTime() - t0) / 1e9;
            io.aixcl.cli.render.StartSummary.print(c.out(), result, secs);
            return ExitCodes.OK;
        }
    }

    @Command(name = "stop", description = "Stop services in reverse dependency order (volumes are kept).")
    static final class Stop implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            Dtos.Event result = c.operate(ApiPaths.STACK_STOP,
                    Dtos.StackRequest.of(stack.profile, stack.stackFilePath()));
            c.out().println("stopped " + ((java.util.List<?>) result.result().get("stopped")).size() + " service(s)");
            return ExitCodes.OK;
        }
    }

    @Command(name = "restart", description = "Stop, then start the profile.")
    static final class Restart implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            Dtos.Event result = c.operate(ApiPaths.STACK_RESTART,
                    Dtos.StackRequest.of(stack.profile, stack.stackFilePath()));
            c.out().println("stack restarted: profile '" + result.result().get("profile") + "'");
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", description = "State, health, uptime, restarts, ports and image of every service.")
    static final class Status implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            Dtos.StackStatus s = c.client().get(Options.withQuery(ApiPaths.STACK_STATUS, stack.query()),
                    Dtos.StackStatus.class);
            if (json.json) {
                Printing.json(c.out(), s);
            } else {
                printStatus(c, s);
            }
            return s.healthy() ? ExitCodes.OK : ExitCodes.NOT_HEALTHY;
        }
    }

    static void printStatus(Context c, Dtos.StackStatus s) {
        Table t = new Table("SERVICE", "STATE", "HEALTH", "UPTIME", "RESTARTS", "PORTS", "IMAGE");
        for (Dtos.ServiceStatus v : s.services()) {
            String state = v.state() + (v.exitCode() != null ? " (exit " + v.exitCode() + ")" : "")
                    + (v.upToDate() || "missing".equals(v.state()) ? "" : " *");
            t.row(v.service(), state, v.health(), Format.duration(v.uptimeSeconds()), v.restarts(),
                    v.ports().isEmpty() ? "-" : String.join(",", v.ports().stream().map(String::valueOf).toList()),
                    v.image());
        }
        t.print(c.out());
        if (s.services().stream().anyMatch(v -> !v.upToDate() && !"missing".equals(v.state()))) {
            c.out().println("* spec changed since the container was created: 'aixcl stack start' recreates it");
        }
        c.out().println(s.summary());
    }

    @Command(name = "logs", description = "Logs of every service of the profile, merged by time.")
    static final class Logs implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;
        @Mixin Options.JsonOutput json;
        @Option(names = {"-F", "--follow"}, description = "Keep printing new lines until interrupted.") boolean follow;
        @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "100",
                description = "Lines per service from the end (default: ${DEFAULT-VALUE}).") int tail;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            String q = stack.query();
            q = (q.isEmpty() ? "" : q + "&") + "tail=" + tail + (follow ? "&follow=true" : "");
            LogPrinter.stream(c, ApiPaths.STACK_LOGS + "?" + q, json.json, true);
            return ExitCodes.OK;
        }
    }

    @Command(name = "plan", description = "Show what 'start' would do, without doing it.")
    static final class Plan implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            Dtos.Plan p = c.client().post(ApiPaths.STACK_PLAN,
                    Dtos.StackRequest.of(stack.profile, stack.stackFilePath()), Dtos.Plan.class);
            if (json.json) {
                Printing.json(c.out(), p);
                return ExitCodes.OK;
            }
            c.out().printf("stack '%s', profile '%s': %d services in %d levels%n", p.stack(), p.profile(),
                    p.actions().size(), p.levels().size());
            Table t = new Table("LEVEL", "SERVICE", "ACTION", "REASON", "IMAGE");
            for (Dtos.ServiceAction a : p.actions()) {
                t.row(a.level(), a.service(), a.action(), a.reason(), a.image() + (a.imagePresent() ? "" : " (pull)"));
            }
            t.print(c.out());
            if (!p.addedAsDependencies().isEmpty()) {
                c.out().println("added as dependencies: " + String.join(", ", p.addedAsDependencies()));
            }
            if (!p.volumesToCreate().isEmpty()) {
                c.out().println("volumes to create: " + String.join(", ", p.volumesToCreate()));
            }
            p.portConflicts().forEach(x -> c.out().println("CONFLICT: " + x));
            p.orphans().forEach(o -> c.out().println("orphan: " + o + " (use --remove-orphans with start)"));
            if (p.changesNothing()) {
                c.out().println("nothing to do: every service is running and unchanged");
            }
            return p.portConflicts().isEmpty() ? ExitCodes.OK : ExitCodes.CONFLICT;
        }
    }

    @Command(name = "down", description = "Stop and remove the stack's containers; with --volumes, its data too.")
    static final class Down implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;
        @Option(names = "--volumes", description = "Also remove the stack's volumes (its data). Asks first.") boolean volumes;
        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes;

        @Override
        public Integer call() {
            Context c = parent.ctx();
            if (volumes && !yes) {
                java.io.Console console = System.console();
                if (console == null) {
                    throw new CliException(ExitCodes.INVALID_INPUT,
                            "--volumes deletes the stack's data; confirm with --yes when not on a terminal");
                }
                String answer = console.readLine("This removes every container AND volume (all data) of the stack. "
                        + "Type 'yes' to continue: ");
                if (answer == null || !answer.strip().equals("yes")) {
                    c.err().println("aborted: nothing was removed");
                    return ExitCodes.CANCELLED;
                }
            }
            c.operate(ApiPaths.STACK_DOWN, new Dtos.StackRequest(stack.profile,
                    stack.stackFilePath(), false, volumes));
            c.out().println(volumes ? "stack removed, volumes included" : "stack removed (volumes kept)");
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", description = "Write the resolved plan as a file for another tool.")
    static final class Export implements Callable<Integer> {
        @ParentCommand StackCommand parent;
        @Mixin Options.StackSelection stack;
        @Option(names = "--format", defaultValue = "compose", description = "Output format: ${COMPLETION-CANDIDATES}.")
        ExportFormat format;
        @Option(names = "--network", defaultValue = "host",
                description = "host (as aixcl runs it) or bridge (ports published on 127.0.0.1).")
        String network;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path output;

        enum ExportFormat { compose }

        @Override
        public Integer call() throws IOException {
            Context c = parent.ctx();
            if (!network.equals("host") && !network.equals("bridge")) {
                throw new CliException(ExitCodes.INVALID_INPUT, "--network must be 'host' or 'bridge'");
            }
            Dtos.Export e = c.client().post(ApiPaths.STACK_EXPORT + "?format=" + format + "&network=" + network,
                    Dtos.StackRequest.of(stack.profile, stack.stackFilePath()), Dtos.Export.class);
            if (output != null) {
                Files.writeString(output, e.content());
                c.err().println("wrote " + output);
            } else {
                c.out().print(e.content());
            }
            return ExitCodes.OK;
        }
    }
}
