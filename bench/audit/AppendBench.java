import io.aixcl.audit.AuditStore;
import io.aixcl.audit.AuditStoreConfig;
import io.aixcl.audit.Verification;
import io.aixcl.core.audit.AuditEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Durable appends per second through the public AuditStore API with W concurrent writers (platform threads), each
 * append acknowledged only after fsync. Usage: AppendBench WORK_DIR SECONDS WRITERS...
 */
public final class AppendBench {

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        double last = 0;
        for (int i = 2; i < args.length; i++) {
            int writers = Integer.parseInt(args[i]);
            last = run(work.resolve("w" + writers), seconds, writers);
        }
        System.out.printf("ratio: %.0f durable appends/s at %s writers vs target 20000/s = %.2fx%n", last,
                args[args.length - 1], last / 20000);
    }

    static AuditEvent event(long n) {
        return new AuditEvent(Instant.now(), AuditEvent.Actor.uid(1000), "stack.service.start", "dev/open-webui",
                Map.of("profile", "dev", "request", "req-" + Long.toHexString(n * 0x9E3779B97F4A7C15L),
                        "image", "ghcr.io/open-webui/open-webui:v0.6.5", "attempt", "1"),
                AuditEvent.Outcome.SUCCEEDED, "");
    }

    static double run(Path dir, double seconds, int writers) throws Exception {
        AuditStoreConfig config = AuditStoreConfig.of(dir.resolve("audit"), dir.resolve("witness"));
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        long[][] latencies = new long[writers][];
        int[] counts = new int[writers];
        long start;
        long end;
        try (AuditStore store = AuditStore.open(config)) {
            CountDownLatch done = new CountDownLatch(writers);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int me = w;
                latencies[me] = new long[1 << 16];
                threads.add(Thread.ofPlatform().start(() -> {
                    long n = (long) me << 32;
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        store.append(event(n++));
                        long t = System.nanoTime() - t0;
                        if (measuring.get()) {
                            if (counts[me] == latencies[me].length) {
                                latencies[me] = Arrays.copyOf(latencies[me], counts[me] * 2);
                            }
                            latencies[me][counts[me]++] = t;
                        }
                    }
                    done.countDown();
                }));
            }
            Thread.sleep(1000); // warm-up: JIT, first segment, first checkpoints
            measuring.set(true);
            start = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            end = System.nanoTime();
            stop.set(true);
            done.await();
            for (Thread t : threads) {
                t.join();
            }
        }
        long total = Arrays.stream(counts).asLongStream().sum();
        long[] all = new long[(int) total];
        int at = 0;
        for (int w = 0; w < writers; w++) {
            System.arraycopy(latencies[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        double rate = total / ((end - start) / 1e9);
        System.out.printf("writers=%-3d appends/s=%8.0f  p50=%6.2f ms  p99=%6.2f ms  (%d appends in %.1f s)%n",
                writers, rate, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, total,
                (end - start) / 1e9);
        // The log written under load must verify like any other.
        Verification v = io.aixcl.audit.AuditVerifier.verify(dir.resolve("audit"),
                java.util.Optional.of(dir.resolve("witness")),
                io.aixcl.audit.SigningKeyFiles.readPublic(dir.resolve("witness/checkpoint.pub")));
        if (!(v instanceof Verification.Valid)) {
            throw new IllegalStateException("the benchmark's log does not verify: " + v);
        }
        return rate;
    }
}
