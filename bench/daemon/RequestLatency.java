import io.aixcl.cli.client.UnixHttp;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A trivial authenticated request over the daemon's Unix socket, timed in-process so the client's own start is not
 * counted: each request opens a connection (the kernel vouches for the caller: SO_PEERCRED), GETs /v1/daemon and
 * reads the answer. Prints p50/p90/p99 in ms and, last, the p50 against the 1 ms target.
 */
public final class RequestLatency {
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < 500; i++) { // warm-up: JIT and the daemon's own caches
            call(socket);
        }
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call(socket);
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        double p50 = ns[n / 2] / 1e6;
        System.out.printf("requests=%d p50=%.3f ms p90=%.3f ms p99=%.3f ms%n", n, p50, ns[n * 9 / 10] / 1e6,
                ns[n * 99 / 100] / 1e6);
        System.out.printf("daemon_request_p50_ms=%.3f (target < 1)%n", p50);
    }

    private static void call(Path socket) throws Exception {
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/daemon", null)) {
            if (r.status() != 200) {
                throw new IllegalStateException("HTTP " + r.status());
            }
            r.body().readAllBytes();
        }
    }
}
