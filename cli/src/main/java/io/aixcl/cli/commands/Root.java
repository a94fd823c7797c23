package io.aixcl.cli.commands;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "aixcl", mixinStandardHelpOptions = true, versionProvider = Root.Version.class,
        description = "Your local AI stack: one CLI, one daemon, secure by default.",
        subcommands = {StackCommand.class, ServiceCommand.class, ProfilesCommand.class, EngineCommand.class,
                DaemonCommand.class, SecretsCommand.class, Root.Completion.class},
        footer = {"", "Exit codes: 0 ok, 1 failed, 2 invalid input, 3 not healthy, 4 no container engine,",
                "5 image unavailable, 6 not found, 7 conflict, 8 daemon unavailable, 130 cancelled."})
public final class Root implements Callable<Integer> {
    private final Context ctx;

    @Spec
    CommandSpec spec;

    public Root(Context ctx) {
        this.ctx = ctx;
    }

    public Context ctx() {
        return ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.out());
        return 0;
    }

    @Command(name = "completion", description = "Print a bash/zsh completion script: source <(aixcl completion)")
    static final class Completion implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            CommandLine root = spec.root().commandLine();
            root.getOut().print(AutoComplete.bash("aixcl", root));
            root.getOut().flush();
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Root.class.getPackage().getImplementationVersion();
            return new String[] {"aixcl " + (v == null ? "dev" : v)};
        }
    }
}
