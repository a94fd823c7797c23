package io.aixcl.cli.commands;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "service", description = "Act on one service of the stack.",
        subcommands = {ServiceCommand.Start.class, ServiceCommand.Stop.class, ServiceCommand.Restart.class,
                ServiceCommand.Status.class, ServiceCommand.Logs.class})
public final class ServiceCommand {
    @ParentCommand
    Root root;

    abstract static class Action implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Mixin Options.StackSelection stack;
        @Parameters(paramLabel = "NAME", description = "The service, e.g. postgres.") String name;

        abstract String verb();

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            c.operate(ApiPaths.SERVICES + "/" + Options.enc(name) + "/" + verb(),
                    Dtos.StackRequest.of(stack.profile, stack.stackFilePath()));
            c.out().println(name + ": " + verb() + (verb().endsWith("p") ? "ped" : "ed"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "start", description = "Start one service (its dependencies must be running).")
    static final class Start extends Action {
        String verb() { return "start"; }
    }

    @Command(name = "stop", description = "Stop one service.")
    static final class Stop extends Action {
        String verb() { return "stop"; }
    }

    @Command(name = "restart", description = "Stop and start one service.")
    static final class Restart extends Action {
        String verb() { return "restart"; }
    }

    @Command(name = "status", description = "State and health of one service.")
    static final class Status implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Mixin Options.StackSelection stack;
        @Mixin Options.JsonOutput json;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Dtos.ServiceStatus s = c.client().get(Options.withQuery(ApiPaths.SERVICES + "/" + Options.enc(name)
                    + "/status", stack.query()), Dtos.ServiceStatus.class);
            if (json.json) {
                Printing.json(c.out(), s);
            } else {
                StackCommand.printStatus(c, new Dtos.StackStatus("", "", List.of(s),
                        s.service() + ": " + s.state() + ", " + s.health()
                                + (s.healthDetail() == null || s.healthDetail().isBlank() ? "" : " (" + s.healthDetail() + ")"),
                        true));
            }
            boolean ok = "running".equals(s.state()) && ("healthy".equals(s.health()) || "none".equals(s.health()));
            return ok ? ExitCodes.OK : ExitCodes.NOT_HEALTHY;
        }
    }

    @Command(name = "logs", description = "Logs of one service.")
    static final class Logs implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Mixin Options.StackSelection stack;
        @Mixin Options.JsonOutput json;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = {"-F", "--follow"}, description = "Keep printing new lines until interrupted.") boolean follow;
        @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "100",
                description = "Lines from the end (default: ${DEFAULT-VALUE}).") int tail;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            String q = stack.query();
            q = (q.isEmpty() ? "" : q + "&") + "tail=" + tail + (follow ? "&follow=true" : "");
            LogPrinter.stream(c, ApiPaths.SERVICES + "/" + Options.enc(name) + "/logs?" + q, json.json, false);
            return ExitCodes.OK;
        }
    }
}
