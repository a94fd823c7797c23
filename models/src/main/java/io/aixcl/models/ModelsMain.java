package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.GcOptions;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.PullEvent;
import io.aixcl.core.models.PullRequest;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;

/**
 * A CLI-free entry point for trying the store by hand (and for tests that kill a pull's process):
 * <pre>
 *   java -cp ... io.aixcl.models.ModelsMain --root DIR [--registry URL] [--hf URL] pull REF [--sha256 HEX] [--name NAME] [--insecure]
 *   ... list | show NAME | rm NAME | gc [--partials-older-than SECONDS] [--dry-run]
 * </pre>
 * The real user interface is {@code aixcl models ...} through the daemon.
 */
public final class ModelsMain {
    private ModelsMain() {}

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    static int run(PrintStream out, PrintStream err, String... argv) {
        Deque<String> args = new ArrayDeque<>(Arrays.asList(argv));
        Path root = null;
        URI registry = null;
        URI hub = null;
        while (!args.isEmpty() && args.peekFirst().startsWith("--")) {
            String flag = args.pollFirst();
            String value = args.pollFirst();
            if (value == null) {
                err.println("missing value for " + flag);
                return 2;
            }
            switch (flag) {
                case "--root" -> root = Path.of(value);
                case "--registry" -> registry = URI.create(value);
                case "--hf" -> hub = URI.create(value);
                default -> {
                    err.println("unknown option " + flag);
                    return 2;
                }
            }
        }
        if (root == null || args.isEmpty()) {
            err.println("usage: ModelsMain --root DIR [--registry URL] [--hf URL] pull REF [--sha256 HEX] [--name NAME] [--insecure] | list | show NAME | rm NAME | gc");
            return 2;
        }
        var settings = ModelStoreSettings.defaults(root, System.getenv());
        if (registry != null) {
            settings = settings.withRegistry(registry);
        }
        if (hub != null) {
            settings = settings.withHuggingFace(hub);
        }
        try (var store = new LocalModelStore(settings)) {
            String command = args.pollFirst();
            switch (command) {
                case "pull" -> {
                    PullRequest request = PullRequest.of(args.pollFirst());
                    while (!args.isEmpty()) {
                        String flag = args.pollFirst();
                        switch (flag) {
                            case "--sha256" -> request = request.withSha256(Digest.parse(args.pollFirst()));
                            case "--name" -> request = request.named(ModelName.parse(args.pollFirst()));
                            case "--insecure" -> request = request.allowingInsecureHttp();
                            default -> throw new AixclException.InvalidInput("unknown pull option " + flag);
                        }
                    }
                    var result = store.pull(request, event -> {
                        if (event instanceof PullEvent.Progress p) {
                            err.printf(Locale.ROOT, "\r%,d / %,d bytes  %.1f MB/s  eta %s   ", p.completedBytes(), p.totalBytes(),
                                    p.bytesPerSecond() / 1e6, p.eta().map(Duration::toSeconds).map(s -> s + " s").orElse("?"));
                        } else {
                            err.println("\n" + event);
                        }
                    });
                    out.println("added " + result.name().display() + " (" + result.sizeBytes() + " bytes, "
                            + result.downloadedBytes() + " downloaded)");
                }
                case "list" -> store.list().forEach(m -> out.println(m.name().display() + "\t" + m.sizeBytes() + "\t" + m.modelDigest().shortForm()));
                case "show" -> out.println(store.show(ModelName.parse(args.pollFirst())));
                case "rm" -> store.remove(ModelName.parse(args.pollFirst()));
                case "gc" -> {
                    Duration older = GcOptions.DEFAULT.partialsOlderThan();
                    boolean dry = false;
                    while (!args.isEmpty()) {
                        String flag = args.pollFirst();
                        if (flag.equals("--dry-run")) {
                            dry = true;
                        } else if (flag.equals("--partials-older-than")) {
                            older = Duration.ofSeconds(Long.parseLong(args.pollFirst()));
                        }
                    }
                    out.println(store.gc(new GcOptions(older, dry)));
                }
                default -> {
                    err.println("unknown command " + command);
                    return 2;
                }
            }
            return 0;
        } catch (AixclException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
