package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelRef;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds a GGUF file on the Hugging Face hub: {@code <hub>/<org>/<repo>/resolve/main/<file>}. For files in Git LFS
 * (every GGUF file) the hub's redirect carries the file's sha256 ({@code X-Linked-Etag}) and size
 * ({@code X-Linked-Size}); when it does not, the digest is computed while downloading and recorded.
 */
final class HuggingFaceClient {
    private static final Pattern SHA256_ETAG = Pattern.compile("(?:W/)?\"?([0-9a-fA-F]{64})\"?");

    private final MetadataRequests requests;
    private final ModelStoreSettings settings;

    HuggingFaceClient(MetadataRequests requests, ModelStoreSettings settings) {
        this.requests = requests;
        this.settings = settings;
    }

    record Resolved(URI uri, Optional<Digest> digest, long size) {}

    Resolved resolve(ModelRef.HuggingFace ref, boolean allowInsecureHttp) {
        URI uri = RegistryClient.resolve(settings.huggingFaceBaseUrl(),
                "/" + ref.org() + "/" + ref.repo() + "/resolve/main/" + ref.file());
        String what = "hf:" + ref.org() + "/" + ref.repo() + "/" + ref.file();
        var first = requests.head(uri, allowInsecureHttp, false, what);
        if (first.status() == 404) {
            throw new AixclException.NotFound(what + " was not found on " + settings.huggingFaceBaseUrl().getHost());
        }
        if (first.status() == 401 || first.status() == 403) {
            throw new AixclException.Failed(what + " is gated or private (HTTP " + first.status()
                    + "); download it yourself and add the local file", null);
        }
        Optional<Digest> digest = sha256(first.headers(), "X-Linked-Etag").or(() -> sha256(first.headers(), "ETag"));
        long size = first.headers().firstValueAsLong("X-Linked-Size").orElse(-1);
        if (size < 0 && first.status() == 200) {
            size = first.headers().firstValueAsLong("Content-Length").orElse(-1);
        }
        if (size < 0 && first.status() / 100 == 3) {
            var last = requests.head(uri, allowInsecureHttp, true, what);
            if (last.status() == 200) {
                size = last.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (digest.isEmpty()) {
                    digest = sha256(last.headers(), "ETag");
                }
            }
        }
        return new Resolved(uri, digest, size);
    }

    private static Optional<Digest> sha256(HttpHeaders headers, String name) {
        return headers.firstValue(name).map(v -> SHA256_ETAG.matcher(v.strip())).filter(java.util.regex.Matcher::matches)
                .map(m -> Digest.parse(m.group(1)));
    }
}
