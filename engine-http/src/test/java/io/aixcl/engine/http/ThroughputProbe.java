package io.aixcl.engine.http;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

class ThroughputProbe {
    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int total = Integer.parseInt(args[1]);
        int conc = Integer.parseInt(args[2]);
        try (var engine = new OpenAiCompatibleEngine(UpstreamConfig.of(base))) {
            engine.start();
            engine.load(ModelSpec.of("canned", Path.of("x")).withLimits(64, 10000));
            var req = new GenerationRequest("r", "canned", Prompt.chat(ChatMessage.user("Why is the sky blue?")), SamplingParams.defaults());
            for (int pass = 0; pass < 3; pass++) {
                var permits = new Semaphore(conc);
                var done = new CountDownLatch(total);
                var failures = new AtomicLong();
                long[] lat = new long[total];
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    permits.acquire();
                    long t0 = System.nanoTime();
                    int k = i;
                    engine.generate(req, e -> { }).completion().whenComplete((c, f) -> {
                        lat[k] = System.nanoTime() - t0;
                        if (f != null) failures.incrementAndGet();
                        permits.release();
                        done.countDown();
                    });
                }
                done.await();
                double secs = (System.nanoTime() - start) / 1e9;
                Arrays.sort(lat);
                System.out.printf("pass %d: %d req in %.2f s = %.0f req/s, p50 %.3f ms, p99 %.3f ms, failures %d%n", pass, total, secs,
                        total / secs, lat[total / 2] / 1e6, lat[total * 99 / 100] / 1e6, failures.get());
            }
        }
    }
}
