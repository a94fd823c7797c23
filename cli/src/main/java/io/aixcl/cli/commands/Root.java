package io.aixcl.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "aixcl", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Root.Version.class,
        description = "Your local AI stack: one CLI, one daemon, secure by default.",
        footer = {"", "Exit codes: 0 ok, 1 failed, 2 invalid input, 3 not healthy, 4 no container engine,",
                "5 image unavailable, 6 not found, 7 conflict, 8 daemon unavailable, 130 cancelled."})
public final class Root implements Callable<Integer> {
    /**
     * The top-level commands, in help order. Registered by {@code OrdinaryPath.commandLine}, not in the annotation:
     * a run that names one of them builds only that one's picocli model (see {@link #commandsFor}).
     */
    public static final List<Class<?>> COMMANDS = List.of(StackCommand.class, ServiceCommand.class,
            ProfilesCommand.class, EngineCommand.class, ModelsCommand.class, DoctorCommand.class, AuditCommand.class, SecretsCommand.class, TokensCommand.class, KeysCommand.class,
            DaemonCommand.class, Completion.class);

    /**
     * The top-level commands a run with these arguments needs: the one its first argument names, or all of them
     * (no command, an option first, an unknown name, completion, which describes every command). Picocli builds
     * each command's model by reflection when it is registered, ~2-4 ms a command at start.
     */
    public static List<Class<?>> commandsFor(String[] args) {
        if (args == null || args.length == 0) {
            return COMMANDS;
        }
        for (Class<?> c : COMMANDS) {
            String name = c.getAnnotation(Command.class).name();
            if (name.equals(args[0]) && !name.equals("completion")) {
                return List.of(c);
            }
        }
        return COMMANDS;
    }

    private final Context ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "https://ADDR:PORT",
            description = "Talk to a remote daemon's TLS listener instead of the local daemon (env: AIXCL_HOST).")
    String host;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token for --host (env: AIXCL_TOKEN_FILE, or the token in AIXCL_TOKEN).")
    java.nio.file.Path tokenFile;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "The remote daemon's CA certificate to pin (env: AIXCL_CA; from 'aixcl tokens ca' on its host).")
    java.nio.file.Path ca;

    @Option(names = "--client-cert", paramLabel = "DIR",
            description = "Folder with client.crt and client.key for mutual TLS (env: AIXCL_CLIENT_CERT).")
    java.nio.file.Path clientCert;

    public Root(Context ctx) {
        this.ctx = ctx;
    }

    /** The context, with the global remote options applied over the environment's. */
    public Context ctx() {
        if (host == null && tokenFile == null && ca == null && clientCert == null) {
            return ctx;
        }
        return ctx.withRemote(ctx.remote().overriddenBy(host, tokenFile, ca, clientCert));
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
