package io.aixcl.models;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Small requests (manifests, HEADs) with the pull's retry policy: connection failures, timeouts and 5xx/429 are
 * retried; anything else is the answer. Bodies are read up to a limit, so a hostile server cannot fill memory.
 */
final class MetadataRequests {
    private static final System.Logger LOG = System.getLogger(MetadataRequests.class.getName());
    private final SafeHttp http;
    private final RetryPolicy retry;

    MetadataRequests(SafeHttp http, RetryPolicy retry) {
        this.http = http;
        this.retry = retry;
    }

    record Answer(URI uri, int status, java.net.http.HttpHeaders headers, byte[] body) {}

    Answer get(URI uri, Map<String, String> headers, long maxBody, boolean allowInsecureHttp, String what) {
        return attempt(what, () -> {
            try (SafeHttp.Response r = http.get(uri, headers, allowInsecureHttp)) {
                byte[] body = readLimited(r.body(), maxBody, what);
                return new Answer(r.uri(), r.status(), r.headers(), body);
            }
        });
    }

    Answer head(URI uri, boolean allowInsecureHttp, boolean followRedirects, String what) {
        return attempt(what, () -> {
            try (SafeHttp.Response r = http.head(uri, allowInsecureHttp, followRedirects)) {
                return new Answer(r.uri(), r.status(), r.headers(), new byte[0]);
            }
        });
    }

    private interface Call {
        Answer call() throws IOException, InterruptedException;
    }

    private Answer attempt(String what, Call call) {
        for (int attempt = 1; ; attempt++) {
            String problem;
            try {
                Answer a = call.call();
                if (a.status() < 500 && a.status() != 429 && a.status() != 408) {
                    return a;
                }
                problem = "HTTP " + a.status() + " from " + a.uri().getHost();
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AixclException.Cancelled("interrupted while fetching " + what);
            }
            if (attempt >= retry.maxAttempts()) {
                throw new AixclException.Failed("cannot fetch " + what + " after " + attempt + " attempts: " + problem, null);
            }
            Duration delay = retry.delay(attempt);
            LOG.log(System.Logger.Level.WARNING, "retrying {0} in {1} ms (attempt {2}): {3}", what,
                    String.valueOf(delay.toMillis()), String.valueOf(attempt), problem);
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AixclException.Cancelled("interrupted while fetching " + what);
            }
        }
    }

    private static byte[] readLimited(InputStream in, long max, String what) throws IOException {
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (body.length > max) {
            throw new AixclException.Failed(what + " is larger than the limit of " + max + " bytes", null);
        }
        return body;
    }
}
