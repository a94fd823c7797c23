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

/**
 * Tokens/s of one model called in-process with de.kherud.llama (the anchor) versus through EmbeddedEngine (worker
 * JVM + socket protocol), same prompt, same parameters, in paired runs in one run. Run by
 * bench/embedded-tokens.sh; the last line is the ratio.
 *
 *   java -cp CP EmbeddedTokensBench.java MODEL TOKENS PAIRS THREADS
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

        List<Double> direct = new ArrayList<>();
        List<Double> embedded = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        Path runtime = Files.createTempDirectory("aixcl-bench-");
        var config = EmbeddedEngineConfig.defaults(runtime.resolve("engine")).withThreads(threads);
        try (var inProcess = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(CONTEXT)
                     .setParallel(1).setThreads(threads).setThreadsBatch(threads).disableLog());
             var engine = new EmbeddedEngine(config)) {
            engine.start();
            engine.load(ModelSpec.of("bench", model).withContextTokens(CONTEXT));
            var request = new GenerationRequest("bench", "bench", Prompt.text(PROMPT),
                    SamplingParams.defaults().withTemperature(0).withMaxTokens(tokens).withSeed(7));
            // Warm-up: JIT, page cache, llama.cpp's thread pools on both sides.
            for (int i = 0; i < 3; i++) {
                runDirect(inProcess, tokens);
                runEmbedded(engine, request);
            }

            // Paired runs, the order flipped every pair, so drift in the machine's load hits both sides alike;
            // the ratio reported is the median of the pairs' ratios.
            for (int pair = 0; pair < pairs; pair++) {
                double a;
                double b;
                if (pair % 2 == 0) {
                    a = runDirect(inProcess, tokens);
                    settle();
                    b = runEmbedded(engine, request);
                } else {
                    b = runEmbedded(engine, request);
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
        System.out.printf("EmbeddedEngine (worker JVM + protocol): median %.0f tokens/s over %d runs (min %.0f, max %.0f)%n",
                e, embedded.size(), Collections.min(embedded), Collections.max(embedded));
        System.out.printf("paired ratios: min %.2f, max %.2f%n", Collections.min(ratios), Collections.max(ratios));
        System.out.printf("embedded/in-process tokens/s ratio=%.2fx (median of %d paired runs; target >= 0.9x)%n",
                r, ratios.size());
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
