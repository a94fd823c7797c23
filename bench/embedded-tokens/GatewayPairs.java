import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A diagnostic beside EmbeddedTokensBench: the in-process anchor and two gateways (two daemons, e.g. main's build
 * and this tree's) in one run, each round running the three in a shuffled order, so a change of load hits all
 * alike. Same anchor, prompt, parameters and JDK client as EmbeddedTokensBench. Per gateway it also reports the CPU
 * time its daemon and its llama.cpp worker spent per timed request (from /proc), which does not depend on the load.
 * Run by bench/embedded-gateway-paired.sh.
 *
 *   java -cp CP GatewayPairs.java MODEL TOKENS ROUNDS THREADS URL_A,KEY_FILE_A,DAEMON_PID_A URL_B,KEY_FILE_B,DAEMON_PID_B
 */
public class GatewayPairs {

    /** EmbeddedTokensBench.PROMPT (a single-file program on JDK 21 cannot name another file's class). */
    static final String PROMPT = "Write a long story about a lighthouse keeper who finds a message in a bottle.";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final Pattern COMPLETION_TOKENS = Pattern.compile("\"completion_tokens\"\\s*:\\s*(\\d+)");

    record Gateway(String name, URI base, String key, long daemonPid) {}

    public static void main(String[] args) {
        int status = 1;
        try {
            run(args);
            status = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        } finally {
            System.exit(status); // the library leaves a non-daemon native thread behind
        }
    }

    static void run(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int tokens = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        List<Gateway> gateways = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            String[] p = args[i].split(",", 3);
            gateways.add(new Gateway(i == 4 ? "A" : "B", URI.create(p[0]), Files.readString(Path.of(p[1])).strip(),
                    Long.parseLong(p[2])));
        }
        int sides = gateways.size() + 1;
        List<List<Double>> rates = new ArrayList<>();
        List<List<Double>> ratios = new ArrayList<>();
        for (int i = 0; i < sides; i++) {
            rates.add(new ArrayList<>());
            ratios.add(new ArrayList<>());
        }
        List<Double> bOverA = new ArrayList<>();
        long[][] cpuTicks = new long[sides][2];
        try (var inProcess = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(1024)
                .setParallel(1).setThreads(threads).setThreadsBatch(threads).disableLog())) {
            // Warm-up as EmbeddedTokensBench (BENCH_WARMUP, default 300); a larger one shows the daemons past their JIT.
            int warmup = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP", "300"));
            for (int i = 0; i < warmup; i++) {
                direct(inProcess, tokens);
                for (Gateway g : gateways) {
                    gateway(g, tokens);
                }
            }
            Random random = new Random(7);
            for (int round = 0; round < rounds; round++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < sides; i++) {
                    order.add(i);
                }
                Collections.shuffle(order, random);
                double[] rate = new double[sides];
                for (int side : order) {
                    if (side == 0) {
                        rate[0] = direct(inProcess, tokens);
                    } else {
                        Gateway g = gateways.get(side - 1);
                        long[] before = cpu(g.daemonPid());
                        rate[side] = gateway(g, tokens);
                        long[] after = cpu(g.daemonPid());
                        cpuTicks[side][0] += after[0] - before[0];
                        cpuTicks[side][1] += after[1] - before[1];
                    }
                    Thread.sleep(200); // as EmbeddedTokensBench.settle
                }
                for (int i = 0; i < sides; i++) {
                    rates.get(i).add(rate[i]);
                    ratios.get(i).add(rate[i] / rate[0]);
                }
                if (sides == 3) {
                    bOverA.add(rate[2] / rate[1]);
                }
            }
        }
        System.out.printf("in-process: median %.0f tokens/s over %d rounds%n", median(rates.get(0)), rounds);
        for (int i = 1; i < sides; i++) {
            Gateway g = gateways.get(i - 1);
            System.out.printf("gateway %s (%s): median %.0f tokens/s, median ratio to in-process %.3f; CPU per request: "
                            + "daemon %.2f ms, worker %.2f ms%n", g.name(), g.base(), median(rates.get(i)),
                    median(ratios.get(i)), cpuTicks[i][0] * 10.0 / rounds, cpuTicks[i][1] * 10.0 / rounds);
        }
        if (sides == 3) {
            System.out.printf("B/A ratio=%.3f (median of %d rounds)%n", median(bOverA), rounds);
        }
    }

    /** As EmbeddedTokensBench.runDirect. */
    static double direct(LlamaModel model, int tokens) {
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
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** As EmbeddedTokensBench.GatewayClient.runJdk. */
    static double gateway(Gateway g, int tokens) throws Exception {
        String body = "{\"model\":\"bench\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":" + tokens
                + ",\"temperature\":0,\"top_p\":0.95,\"seed\":7,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}";
        HttpRequest request = HttpRequest.newBuilder(g.base().resolve("/v1/completions"))
                .header("Authorization", "Bearer " + g.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("gateway " + g.name() + " answered " + response.statusCode());
        }
        int count = 0;
        for (String line : (Iterable<String>) response.body()::iterator) {
            Matcher m = COMPLETION_TOKENS.matcher(line);
            if (m.find()) {
                count = Integer.parseInt(m.group(1));
            }
        }
        if (count == 0) {
            throw new IllegalStateException("gateway " + g.name() + " reported no completion tokens");
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** CPU ticks (user + system) of the daemon and of its llama.cpp worker (its child running WorkerMain). */
    static long[] cpu(long daemon) throws IOException {
        long worker = 0;
        try (var tasks = Files.list(Path.of("/proc/" + daemon + "/task"))) {
            for (Path task : tasks.toList()) {
                String children = Files.readString(task.resolve("children")).strip();
                for (String child : children.isEmpty() ? new String[0] : children.split(" ")) {
                    String cmdline = Files.readString(Path.of("/proc/" + child + "/cmdline"));
                    if (cmdline.contains("WorkerMain")) {
                        worker += ticks(Long.parseLong(child));
                    }
                }
            }
        }
        return new long[] {ticks(daemon), worker};
    }

    static long ticks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
