import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.engine.http.OpenAiCompatibleEngine;
import io.aixcl.engine.http.UpstreamConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenAiCompatibleEngine alone against a canned upstream: BASE_URL REQUESTS CONCURRENCY. Runs a warm-up pass, then
 * a measured one, and prints "req_per_s=… p50_ms=… p99_ms=… failures=…" (one line).
 */
public final class EngineHttpBench {

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int total = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        try (var engine = new OpenAiCompatibleEngine(UpstreamConfig.of(base))) {
            engine.start();
            engine.load(ModelSpec.of("canned", Path.of("unused")).withLimits(64, 10_000));
            var request = new GenerationRequest("bench", "canned", Prompt.chat(ChatMessage.user("Why is the sky blue?")),
                    SamplingParams.defaults());
            run(engine, request, Math.max(1, total / 2), concurrency); // warm-up: JIT and connection pool
            long[] latencies = new long[total];
            AtomicLong failures = new AtomicLong();
            double seconds = run(engine, request, total, concurrency, latencies, failures);
            Arrays.sort(latencies);
            System.out.printf("req_per_s=%.0f p50_ms=%.3f p99_ms=%.3f failures=%d%n", total / seconds,
                    latencies[total / 2] / 1e6, latencies[(int) (total * 0.99)] / 1e6, failures.get());
        }
    }

    private static void run(OpenAiCompatibleEngine engine, GenerationRequest request, int total, int concurrency)
            throws InterruptedException {
        run(engine, request, total, concurrency, new long[total], new AtomicLong());
    }

    private static double run(OpenAiCompatibleEngine engine, GenerationRequest request, int total, int concurrency,
                              long[] latencies, AtomicLong failures) throws InterruptedException {
        var permits = new Semaphore(concurrency);
        var done = new CountDownLatch(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            permits.acquire();
            long sent = System.nanoTime();
            int k = i;
            engine.generate(request, event -> { }).completion().whenComplete((completion, failure) -> {
                latencies[k] = System.nanoTime() - sent;
                if (failure != null) {
                    failures.incrementAndGet();
                }
                permits.release();
                done.countDown();
            });
        }
        done.await();
        return (System.nanoTime() - start) / 1e9;
    }
}
