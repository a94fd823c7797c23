package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelName;
import java.net.URI;
import java.util.Map;

/**
 * The registry protocol Ollama's registry speaks (Docker distribution v2): the manifest from
 * {@code GET /v2/<namespace>/<name>/manifests/<tag>}, then each blob from {@code /v2/<namespace>/<name>/blobs/<digest>}
 * (which the registry usually redirects to a CDN).
 */
final class RegistryClient {
    private static final String ACCEPT = MediaTypes.DOCKER_MANIFEST + ", " + MediaTypes.OCI_MANIFEST;

    private final MetadataRequests requests;
    private final ManifestCodec codec;
    private final ModelStoreSettings settings;

    RegistryClient(MetadataRequests requests, ManifestCodec codec, ModelStoreSettings settings) {
        this.requests = requests;
        this.codec = codec;
        this.settings = settings;
    }

    /** The default registry's configured URL; another registry by its name, over https (http for loopback). */
    URI base(String registry) {
        if (registry.equals(ModelName.DEFAULT_REGISTRY)) {
            return settings.registryBaseUrl();
        }
        String host = registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return URI.create((UrlPolicy.isLoopback(host) ? "http://" : "https://") + registry);
    }

    Manifest manifest(ModelName name, boolean allowInsecureHttp) {
        URI uri = resolve(base(name.registry()), "/v2/" + name.namespace() + "/" + name.name() + "/manifests/" + name.tag());
        var answer = requests.get(uri, Map.of("Accept", ACCEPT), settings.maxManifestBytes(), allowInsecureHttp,
                "the manifest of " + name.display());
        switch (answer.status()) {
            case 200 -> { }
            case 404 -> throw new AixclException.NotFound("model " + name.display() + " was not found in " + name.registry());
            case 401, 403 -> throw new AixclException.Failed("the registry " + name.registry() + " refused access to "
                    + name.display() + " (HTTP " + answer.status() + "); private models are not supported", null);
            default -> throw new AixclException.Failed("the registry " + name.registry() + " answered HTTP "
                    + answer.status() + " for the manifest of " + name.display(), null);
        }
        // A registry names the manifest's own digest; when it does, the bytes must match it.
        answer.headers().firstValue("Docker-Content-Digest").filter(d -> d.startsWith("sha256:")).ifPresent(d -> {
            Digest actual = Digest.ofBytes(Hashing.sha256().digest(answer.body()));
            if (!d.equals(actual.toString())) {
                throw new AixclException.Failed("the manifest of " + name.display() + " does not match its "
                        + "Docker-Content-Digest: expected " + d + ", got " + actual, null);
            }
        });
        return codec.parse(answer.body(), name.display());
    }

    URI blob(ModelName name, Digest digest) {
        return resolve(base(name.registry()), "/v2/" + name.namespace() + "/" + name.name() + "/blobs/" + digest);
    }

    static URI resolve(URI base, String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }
}
