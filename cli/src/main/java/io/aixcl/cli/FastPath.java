package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiPaths;
import io.aixcl.cli.client.UnixHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * {@code aixcl stack status --json [-p PROFILE] [-f FILE]} answered without building picocli's command model or
 * Jackson's mapper, which are most of a short JVM's life (~300 ms of ~350): the daemon formats the JSON and says
 * in a header whether the stack is healthy, and this prints it as it came. Only that exact form is taken, with a
 * running local daemon and a successful answer; everything else (help, typos, errors, remote daemons, auto-start)
 * goes the ordinary way, which gives the same output.
 */
final class FastPath {
    private FastPath() {}

    static OptionalInt tryRun(String[] args, PrintStream out, Map<String, String> env, AixclPaths paths) {
        if (args.length < 3 || !args[0].equals("stack") || !args[1].equals("status") || remote(env)) {
            return OptionalInt.empty();
        }
        String profile = null;
        String file = null;
        boolean json = false;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "-p", "--profile" -> {
                    if (++i >= args.length || profile != null) {
                        return OptionalInt.empty();
                    }
                    profile = args[i];
                }
                case "-f", "--stack-file" -> {
                    if (++i >= args.length || file != null) {
                        return OptionalInt.empty();
                    }
                    file = args[i];
                }
                default -> {
                    return OptionalInt.empty();
                }
            }
        }
        if (!json) {
            return OptionalInt.empty();
        }
        StringBuilder path = new StringBuilder(ApiPaths.STACK_STATUS).append("?pretty=true");
        if (profile != null) {
            path.append("&profile=").append(URLEncoder.encode(profile, StandardCharsets.UTF_8));
        }
        if (file != null) {
            Path p = Path.of(file).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                return OptionalInt.empty(); // the ordinary path says precisely what is wrong
            }
            path.append("&stackFile=").append(URLEncoder.encode(p.toString(), StandardCharsets.UTF_8));
        }
        if (!Files.exists(paths.socket())) {
            return OptionalInt.empty();
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

    private static boolean remote(Map<String, String> env) {
        String host = env.get("AIXCL_HOST");
        return host != null && !host.isBlank();
    }
}
