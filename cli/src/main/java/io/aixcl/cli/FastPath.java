package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.audit.AuditTool;
import io.aixcl.cli.client.DaemonClient;
import io.aixcl.cli.commands.AuditCommand;
import io.aixcl.cli.client.Transport;
import io.aixcl.cli.client.UnixHttp;
import io.aixcl.cli.render.ProgressPrinter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * Four commands taken before picocli's command model and Jackson's mapper are built, which are most of a short
 * JVM's life (~300 ms of ~350). Only the exact forms below are taken, with a running local daemon (audit verify
 * needs none); everything else (help, typos, other options, remote daemons, auto-start) goes the ordinary way. Both
 * give the same output.
 * <ul>
 *   <li>{@code aixcl stack status --json [-p PROFILE] [-f FILE]}: the daemon formats the JSON and says in a header
 *       whether the stack is healthy; this prints it as it came. Any answer but a healthy/unhealthy status goes
 *       the ordinary way.</li>
 *   <li>{@code aixcl stack start [-p PROFILE] [-f FILE]}: the request goes out first, so the daemon starts the
 *       stack while this JVM builds Jackson and the renderer instead of after; the events are then read and
 *       printed by the ordinary path's code ({@link DaemonClient#events}, {@link ProgressPrinter}).</li>
 *   <li>{@code aixcl audit verify [--data DIR] [--checkpoint FILE] [--key FILE]}: the files alone, no daemon; a
 *       1 GiB log is checked in ~2 s, of which picocli's model was ~0.3 s.</li>
 *   <li>{@code aixcl models add REF [--sha256 HEX] [--name NAME] [--allow-http]} (one REF): likewise, so the daemon
 *       starts the download ~0.3 s sooner; a pull is timed from the command, and on loopback that is a tenth of it.
 *       </li>
 * </ul>
 */
final class FastPath {
    private FastPath() {}

    /** {@code -p}/{@code -f} (and {@code --json}) of a stack command. */
    private record Selection(String profile, Path stackFile, boolean json) {}

    static OptionalInt tryRun(String[] args, PrintStream out, PrintStream err, BooleanSupplier tty,
                              Map<String, String> env, AixclPaths paths) {
        if (args.length >= 2 && args[0].equals("audit") && args[1].equals("verify")) {
            return auditVerify(args, out, paths); // the files alone: no daemon needed
        }
        if (args.length < 2 || remote(env) || !Files.exists(paths.socket())) {
            return OptionalInt.empty();
        }
        return switch (args[0] + " " + args[1]) {
            case "stack status" -> status(args, out, paths);
            case "stack start" -> start(args, out, err, tty, paths);
            case "models add" -> modelsAdd(args, out, err, tty, paths);
            default -> OptionalInt.empty();
        };
    }

    /**
     * Whether {@code args} is a form this class may send to the local daemon ({@code stack status}, {@code stack
     * start}, {@code models add}), so that {@code Main} starts the JDK's socket setup beside the argument checks.
     * Decided on the first two words alone: a form that steps aside reaches the same socket through the ordinary
     * path, after starting the daemon if need be.
     */
    static boolean talksToLocalDaemon(String[] args, Map<String, String> env) {
        if (args.length < 2 || remote(env)) {
            return false;
        }
        // No string concatenation: an invokedynamic site the AOT cache's training never ran links at run time.
        return switch (args[0]) {
            case "stack" -> args[1].equals("status") || args[1].equals("start");
            case "models" -> args[1].equals("add");
            default -> false;
        };
    }

    private static OptionalInt status(String[] args, PrintStream out, AixclPaths paths) {
        Selection s = selection(args);
        if (s == null || !s.json()) {
            return OptionalInt.empty();
        }
        StringBuilder path = new StringBuilder(ApiPaths.STACK_STATUS).append("?pretty=true");
        if (s.profile() != null) {
            path.append("&profile=").append(URLEncoder.encode(s.profile(), StandardCharsets.UTF_8));
        }
        if (s.stackFile() != null) {
            path.append("&stackFile=").append(URLEncoder.encode(s.stackFile().toString(), StandardCharsets.UTF_8));
        }
        try (UnixHttp.Response r = UnixHttp.send(paths.socket(), "GET", path.toString(), null)) {
            String healthy = r.headers().get(ApiPaths.HEALTHY_HEADER.toLowerCase(java.util.Locale.ROOT));
            if (r.status() != 200 || healthy == null) {
                return OptionalInt.empty();
            }
            out.print(r.bodyText());
            out.flush();
            return OptionalInt.of(Boolean.parseBoolean(healthy) ? ExitCodes.OK : ExitCodes.NOT_HEALTHY);
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalInt start(String[] args, PrintStream out, PrintStream err, BooleanSupplier tty,
                                     AixclPaths paths) {
        Selection s = selection(args);
        if (s == null || s.json()) {
            return OptionalInt.empty();
        }
        long t0 = System.nanoTime();
        return operate(ApiPaths.STACK_START, startRequest(s.profile(), s.stackFile() == null ? null
                : s.stackFile().toString()), out, err, tty, paths, result -> io.aixcl.cli.render.StartSummary.print(
                        out, result, (System.nanoTime() - t0) / 1e9));
    }

    /**
     * {@code audit verify [--data DIR] [--checkpoint FILE] [--key FILE]}, each option at most once with a separate
     * value: the same {@link AuditTool#verify} and output as {@code AuditCommand.Verify}. Anything that fails here
     * (a missing folder, an unreadable file) goes the ordinary way, which reports it; nothing was printed yet.
     */
    private static OptionalInt auditVerify(String[] args, PrintStream out, AixclPaths paths) {
        Map<String, Path> given = new java.util.HashMap<>();
        for (int i = 2; i < args.length; i += 2) {
            String option = args[i];
            if (!(option.equals("--data") || option.equals("--checkpoint") || option.equals("--key"))
                    || i + 1 >= args.length || args[i + 1].startsWith("-") || given.containsKey(option)) {
                return OptionalInt.empty();
            }
            try {
                given.put(option, Path.of(args[i + 1]));
            } catch (RuntimeException e) {
                return OptionalInt.empty();
            }
        }
        try {
            AuditTool.Report report = AuditTool.verify(
                    given.getOrDefault("--data", AuditCommand.dataDir(paths)),
                    Optional.of(given.getOrDefault("--checkpoint", AuditCommand.witnessDir(paths))),
                    Optional.ofNullable(given.get("--key")));
            out.print(report.text());
            out.flush();
            return OptionalInt.of(report.valid() ? ExitCodes.OK : ExitCodes.FAILED);
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalInt modelsAdd(String[] args, PrintStream out, PrintStream err, BooleanSupplier tty,
                                         AixclPaths paths) {
        String ref = null;
        String sha256 = null;
        String name = null;
        boolean allowHttp = false;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--allow-http" -> allowHttp = true;
                case "--sha256", "--name" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("-")
                            || (args[i].equals("--sha256") ? sha256 : name) != null) {
                        return OptionalInt.empty();
                    }
                    if (args[i].equals("--sha256")) {
                        sha256 = args[++i];
                    } else {
                        name = args[++i];
                    }
                }
                default -> {
                    if (args[i].startsWith("-") || ref != null) {
                        return OptionalInt.empty(); // help, other options, several refs: the ordinary path
                    }
                    ref = args[i];
                }
            }
        }
        if (ref == null) {
            return OptionalInt.empty();
        }
        // As ModelsCommand.Add: a local file is read by the daemon, which may run elsewhere in the tree.
        String sent = ref;
        try {
            Path local = ref.contains(":") ? null : Path.of(ref);
            if (local != null && Files.exists(local)) {
                sent = local.toAbsolutePath().normalize().toString();
            }
        } catch (RuntimeException e) {
            return OptionalInt.empty(); // not a path: the ordinary path says what is wrong
        }
        return operate(ApiPaths.MODELS_PULL, modelPullRequest(sent, sha256, name, allowHttp), out, err, tty, paths,
                result -> io.aixcl.cli.render.PullSummary.print(out, result));
    }

    /**
     * Sends {@code body} to {@code path}, then reads and prints the event stream as the ordinary path's
     * {@code Context.operate} does; {@code onResult} prints the result.
     */
    private static OptionalInt operate(String path, String body, PrintStream out, PrintStream err,
                                       BooleanSupplier tty, AixclPaths paths,
                                       java.util.function.Consumer<Dtos.Event> onResult) {
        UnixHttp.Sent sent;
        try {
            sent = UnixHttp.request(paths.socket(), "POST", path, body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty(); // nothing reached the daemon: the ordinary path says what is wrong
        }
        // The daemon has the request: from here on this is the command, reported as the ordinary path does.
        try (sent) {
            ProgressPrinter progress = new ProgressPrinter(out, tty.getAsBoolean());
            DaemonClient client = new DaemonClient(paths, false, msg -> { });
            Transport.Reply reply;
            try {
                UnixHttp.Response r = sent.response();
                reply = new Transport.Reply(r.status(), r.body(), r::close);
            } catch (IOException e) {
                throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "lost the connection to aixcld: "
                        + e.getMessage() + " (see " + paths.daemonLog() + ")");
            }
            onResult.accept(client.events(reply, progress::accept));
            return OptionalInt.of(ExitCodes.OK);
        } catch (CliException e) {
            e.report(err);
            return OptionalInt.of(e.exitCode());
        } catch (IOException | RuntimeException e) {
            err.println("aixcl: error: " + e);
            return OptionalInt.of(ExitCodes.FAILED);
        }
    }

    /** Dtos.ModelPull as Json.MAPPER writes it (nulls left out), without loading Jackson first. */
    static String modelPullRequest(String ref, String sha256, String name, boolean allowInsecureHttp) {
        StringBuilder b = new StringBuilder(256).append("{\"ref\":");
        quote(b, ref);
        if (sha256 != null) {
            quote(b.append(",\"sha256\":"), sha256);
        }
        if (name != null) {
            quote(b.append(",\"name\":"), name);
        }
        return b.append(",\"allowInsecureHttp\":").append(allowInsecureHttp).append('}').toString();
    }

    /** Dtos.StackRequest as Json.MAPPER writes it (nulls left out), without loading Jackson first. */
    static String startRequest(String profile, String stackFile) {
        StringBuilder b = new StringBuilder(128).append('{');
        if (profile != null) {
            b.append("\"profile\":");
            quote(b, profile).append(',');
        }
        if (stackFile != null) {
            b.append("\"stackFile\":");
            quote(b, stackFile).append(',');
        }
        return b.append("\"removeOrphans\":false,\"volumes\":false}").toString();
    }

    private static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /**
     * {@code [-p PROFILE] [-f FILE] [--json]} after {@code stack COMMAND}, the file absolute and present; null for
     * anything else (the ordinary path says precisely what is wrong).
     */
    private static Selection selection(String[] args) {
        String profile = null;
        String file = null;
        boolean json = false;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "-p", "--profile" -> {
                    if (++i >= args.length || profile != null) {
                        return null;
                    }
                    profile = args[i];
                }
                case "-f", "--stack-file" -> {
                    if (++i >= args.length || file != null) {
                        return null;
                    }
                    file = args[i];
                }
                default -> {
                    return null;
                }
            }
        }
        Path p = null;
        if (file != null) {
            p = Path.of(file).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                return null;
            }
        }
        return new Selection(profile, p, json);
    }

    private static boolean remote(Map<String, String> env) {
        String host = env.get("AIXCL_HOST");
        return host != null && !host.isBlank();
    }
}
