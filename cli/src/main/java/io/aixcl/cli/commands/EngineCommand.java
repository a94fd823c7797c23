package io.aixcl.cli.commands;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "engine", description = "The container engine aixcl uses.", subcommands = EngineCommand.Info.class)
public final class EngineCommand {
    @ParentCommand Root root;

    @Command(name = "info", description = "Which engine was chosen, why, and what else was considered.")
    static final class Info implements Callable<Integer> {
        @ParentCommand EngineCommand parent;
        @Mixin Options.JsonOutput json;

        @Override
        public Integer call() {
            Context c = parent.root.ctx();
            Dtos.EngineInfo e = c.client().get(ApiPaths.ENGINE, Dtos.EngineInfo.class);
            if (json.json) {
                Printing.json(c.out(), e);
                return ExitCodes.OK;
            }
            if ("none".equals(e.engine())) {
                c.out().printf("engine:      none (%s)%n", e.selectedBy());
                c.out().printf("inference:   %s%n", e.inference());
                c.out().println("to run the other services: apt-get install -y podman (or point engine.socket at an "
                        + "engine)");
                c.out().println("considered:");
                e.considered().forEach(s -> c.out().println("  - " + s));
                return ExitCodes.OK;
            }
            c.out().printf("engine:      %s %s (API %s)%n", e.engine(), e.version(), e.apiVersion());
            if (e.inference() != null) {
                c.out().printf("inference:   %s%n", e.inference());
            }
            c.out().printf("rootless:    %s%n", e.rootless() ? "yes" : "no (rootful: consider rootless Podman)");
            c.out().printf("socket:      %s%s%n", e.socket(), e.serviceStartedByDaemon()
                    ? " (API service started by aixcld)" : "");
            c.out().printf("chosen by:   %s%n", e.selectedBy());
            c.out().println("considered:");
            e.considered().forEach(s -> c.out().println("  - " + s));
            return ExitCodes.OK;
        }
    }
}
