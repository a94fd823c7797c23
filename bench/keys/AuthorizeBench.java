import io.aixcl.core.inference.TokenUsage;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.daemon.keys.KeyRequest;
import io.aixcl.daemon.keys.KeyService;
import io.aixcl.state.KeyLimits;
import io.aixcl.state.StateDatabase;
import io.aixcl.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's per-request key check, in-process: {@code authorize} + {@code settle} on one key with every limit set
 * (rpm and tpm too high to refuse, a budget too large to exhaust), from THREADS threads for SECONDS, with usage
 * written behind to SQLite meanwhile. Anchor: the bare minimum any hashed-key check does (SHA-256 + hex + map
 * lookup) on the same threads. Last line: authorizations per second against the 10,000/s target, and against it.
 */
public final class AuthorizeBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        try (StateStore store = StateStore.open(new StateDatabase.Sqlite(dir.resolve("state.db")));
             KeyService keys = new KeyService(store::keys, InstantSource.system())) {
            String key = keys.create(new KeyRequest("bench", List.of(), new KeyLimits(OptionalInt.of(Integer.MAX_VALUE),
                    OptionalInt.of(Integer.MAX_VALUE), OptionalLong.of(Long.MAX_VALUE / 2)), Optional.empty())).secret();
            Runnable authorize = () -> {
                if (keys.authorize(key, "m", 64) instanceof KeyDecision.Granted g) {
                    g.reservation().settle(new TokenUsage(20, 30));
                } else {
                    throw new IllegalStateException("refused");
                }
            };
            ConcurrentHashMap<String, Object> map = new ConcurrentHashMap<>();
            map.put(sha(key), new Object());
            Runnable lookup = () -> {
                if (map.get(sha(key)) == null) {
                    throw new IllegalStateException("missing");
                }
            };
            run(authorize, threads, 2); // warm-up
            run(lookup, threads, 2);
            double ours = run(authorize, threads, seconds);
            double anchor = run(lookup, threads, seconds);
            keys.flush();
            System.out.printf("authorize+settle=%.0f/s sha256+lookup=%.0f/s threads=%d%n", ours, anchor, threads);
            System.out.printf("authorize_per_s=%.0f (target >= 10000) target/ours=%.3f lookup/ours=%.2f%n", ours,
                    10_000 / ours, anchor / ours);
        }
    }

    private static String sha(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double run(Runnable op, int threads, int seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() < deadline[0]) {
                    for (int j = 0; j < 100; j++) {
                        op.run();
                    }
                    done.add(100);
                }
            }));
        }
        long t0 = System.nanoTime();
        deadline[0] = t0 + seconds * 1_000_000_000L;
        go.countDown();
        for (Thread t : all) {
            t.join();
        }
        return done.sum() / ((System.nanoTime() - t0) / 1e9);
    }
}
