import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.engine.llama.EmbeddedEngine;
import io.aixcl.engine.llama.EmbeddedEngineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tokens/s of one model called in-process with de.kherud.llama (the anchor) versus through EmbeddedEngine (worker
 * JVM + socket protocol), same prompt, same parameters, in paired runs in one run. Run by
 * bench/embedded-tokens.sh; the last line is the ratio.
 *
 *   java -cp CP EmbeddedTokensBench.java MODEL TOKENS PAIRS THREADS [GATEWAY_URL KEY_FILE]
 *
 * <p>With a gateway URL, the measured side is the daemon's gateway serving the same model on its embedded engine:
 * a streamed {@code /v1/completions} request over loopback HTTP, tokens counted from the usage it reports.
 */
public class EmbeddedTokensBench {

    static final String PROMPT = "Write a long story about a lighthouse keeper who finds a message in a bottle.";
    static final int CONTEXT = 1024;

    public static void main(String[] args) {
        int status = 1;
        try {
            run(args);
            status = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        } finally {
            // The library leaves a non-daemon native thread behind: exit explicitly, failure or not.
            System.exit(status);
        }
    }

    static void run(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int tokens = Integer.parseInt(args[1]);
        int pairs = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        Optional<GatewayClient> gateway = args.length >= 6
                ? Optional.of(new GatewayClient(URI.create(args[4]), Files.readString(Path.of(args[5])).strip(), tokens))
                : Optional.empty();
        String side = gateway.isPresent() ? "gateway (HTTP, SSE, embedded engine)" : "EmbeddedEngine (worker JVM + protocol)";

        List<Double> direct = new ArrayList<>();
        List<Double> embedded = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        Path runtime = Files.createTempDirectory("aixcl-bench-");
        var config = EmbeddedEngineConfig.defaults(runtime.resolve("engine")).withThreads(threads);
        try (var inProcess = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(CONTEXT)
                     .setParallel(1).setThreads(threads).setThreadsBatch(threads).disableLog());
             var engine = new EmbeddedEngine(config)) {
            if (gateway.isEmpty()) {
                engine.start();
                engine.load(ModelSpec.of("bench", model).withContextTokens(CONTEXT));
            }
            var request = new GenerationRequest("bench", "bench", Prompt.text(PROMPT),
                    SamplingParams.defaults().withTemperature(0).withMaxTokens(tokens).withSeed(7));
            // Warm-up: JIT, page cache, llama.cpp's thread pools on both sides. The gateway side runs far more Java a
            // token (frames, SSE, the socket) than the in-process side, and C2 is still compiling it after a handful
            // of requests, on the cores llama.cpp computes on: BENCH_WARMUP runs (default 300) before any is timed. A
            // daemon runs for days: its steady state is what a user gets, not its first minute of compilation (with 20,
            // C2 was still 56% of the daemon's CPU in the timed window). Both sides get the same warm-up.
            int warmup = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP", "300"));
            for (int i = 0; i < warmup; i++) {
                runDirect(inProcess, tokens);
                measured(gateway, engine, request);
            }

            // Paired runs, the order flipped every pair, so drift in the machine's load hits both sides alike;
            // the ratio reported is the median of the pairs' ratios.
            for (int pair = 0; pair < pairs; pair++) {
                double a;
                double b;
                if (pair % 2 == 0) {
                    a = runDirect(inProcess, tokens);
                    settle();
                    b = measured(gateway, engine, request);
                } else {
                    b = measured(gateway, engine, request);
                    settle();
                    a = runDirect(inProcess, tokens);
                }
                settle();
                direct.add(a);
                embedded.add(b);
                ratios.add(b / a);
            }
        }
        double d = median(direct);
        double e = median(embedded);
        double r = median(ratios);
        System.out.printf("in-process (de.kherud.llama, one JVM): median %.0f tokens/s over %d runs (min %.0f, max %.0f)%n",
                d, direct.size(), Collections.min(direct), Collections.max(direct));
        System.out.printf("%s: median %.0f tokens/s over %d runs (min %.0f, max %.0f)%n", side, e, embedded.size(), Collections.min(embedded), Collections.max(embedded));
        System.out.printf("paired ratios: min %.2f, max %.2f%n", Collections.min(ratios), Collections.max(ratios));
        System.out.printf("%s/in-process tokens/s ratio=%.2fx (median of %d paired runs; target >= 0.9x)%n",
                gateway.isPresent() ? "gateway" : "embedded", r, ratios.size());
    }

    /** Same work the worker does per request: tokenize the prompt for the count, then stream every token. */
    static double runDirect(LlamaModel model, int tokens) {
        long start = System.nanoTime();
        var parameters = new InferenceParameters(PROMPT).setTemperature(0f).setTopP(0.95f).setNPredict(tokens).setSeed(7);
        model.encode(PROMPT);
        int count = 0;
        LlamaIterator it = model.generate(parameters).iterator();
        while (it.hasNext()) {
            it.next();
            if (it.hasNext()) {
                count++;
            }
        }
        return count / seconds(start);
    }

    static double measured(Optional<GatewayClient> gateway, EmbeddedEngine engine, GenerationRequest request)
            throws Exception {
        return gateway.isPresent() ? gateway.get().run() : runEmbedded(engine, request);
    }

    /**
     * A streamed completion through the gateway, as any OpenAI client would send it: by the JDK's HttpClient in this
     * JVM (BENCH_CLIENT=jdk, the default), or by curl (BENCH_CLIENT=curl), timed by curl itself (its
     * {@code time_total}: from the connect to the last byte, the process's own start left out).
     */
    record GatewayClient(URI base, String key, int tokens) {
        private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private static final Pattern COMPLETION_TOKENS = Pattern.compile("\"completion_tokens\"\\s*:\\s*(\\d+)");
        private static final boolean CURL = "curl".equals(System.getenv("BENCH_CLIENT"));

        String body() {
            return "{\"model\":\"bench\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":" + tokens
                    + ",\"temperature\":0,\"top_p\":0.95,\"seed\":7,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}}";
        }

        double run() throws Exception {
            return CURL ? runCurl() : runJdk();
        }

        double runCurl() throws Exception {
            Process curl = new ProcessBuilder("curl", "-sS", "-N", "--fail-with-body", "-o", "-",
                    "-w", "\ntime_total=%{time_total}\n", "-H", "Authorization: Bearer " + key,
                    "-H", "Content-Type: application/json", "--data-binary", body(),
                    base.resolve("/v1/completions").toString()).redirectErrorStream(true).start();
            String out = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (curl.waitFor() != 0) {
                throw new IllegalStateException("curl failed: " + out);
            }
            int count = 0;
            double seconds = 0;
            for (String line : out.split("\n")) {
                Matcher m = COMPLETION_TOKENS.matcher(line);
                if (m.find()) {
                    count = Integer.parseInt(m.group(1));
                }
                if (line.startsWith("time_total=")) {
                    seconds = Double.parseDouble(line.substring("time_total=".length()));
                }
            }
            if (count == 0 || seconds <= 0) {
                throw new IllegalStateException("the gateway's stream reported no completion tokens: " + out);
            }
            return count / seconds;
        }

        double runJdk() throws Exception {
            String body = body();
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long start = System.nanoTime();
            HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(request,
                    HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("gateway answered " + response.statusCode() + ": "
                        + String.join("\n", response.body().toList()));
            }
            int count = 0;
            for (String line : (Iterable<String>) response.body()::iterator) {
                Matcher m = COMPLETION_TOKENS.matcher(line);
                if (m.find()) {
                    count = Integer.parseInt(m.group(1));
                }
            }
            if (count == 0) {
                throw new IllegalStateException("the gateway's stream reported no completion tokens");
            }
            return count / seconds(start);
        }
    }

    static double runEmbedded(EmbeddedEngine engine, GenerationRequest request) {
        long start = System.nanoTime();
        Completion c = engine.complete(request);
        return c.usage().completionTokens() / seconds(start);
    }

    /** Lets the other side's idle worker threads stop spinning before the next block is timed. */
    static void settle() throws InterruptedException {
        Thread.sleep(200);
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
