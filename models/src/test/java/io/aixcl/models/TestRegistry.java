package io.aixcl.models;

import io.aixcl.core.models.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Publishes models on a {@link FaultyServer} the way an Ollama registry serves them: a manifest, then blobs. */
final class TestRegistry {
    private final FaultyServer server;

    TestRegistry(FaultyServer server) {
        this.server = server;
    }

    record Published(String manifestPath, Map<String, Digest> digests, Map<Digest, byte[]> blobs, long totalSize) {
        Digest model() {
            return digests.get("model");
        }

        String blobPath(String namespace, String name, Digest d) {
            return "/v2/" + namespace + "/" + name + "/blobs/" + d;
        }
    }

    /** A model with a config, the GGUF model layer, a template and params. */
    Published publish(String namespace, String name, String tag, byte[] gguf) {
        Map<String, byte[]> layers = new LinkedHashMap<>();
        layers.put(MediaTypes.MODEL, gguf);
        layers.put("application/vnd.ollama.image.template", "{{ .Prompt }}".getBytes(StandardCharsets.UTF_8));
        layers.put("application/vnd.ollama.image.params", "{\"stop\":[\"</s>\"]}".getBytes(StandardCharsets.UTF_8));
        byte[] config = ("{\"model_format\":\"gguf\",\"model_family\":\"llama\",\"model\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);

        Map<String, Digest> digests = new LinkedHashMap<>();
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        Digest configDigest = digest(config);
        digests.put("config", configDigest);
        blobs.put(configDigest, config);
        List<String> layerJson = new ArrayList<>();
        for (var e : layers.entrySet()) {
            Digest d = digest(e.getValue());
            digests.put(e.getKey().equals(MediaTypes.MODEL) ? "model" : e.getKey().substring(e.getKey().lastIndexOf('.') + 1), d);
            blobs.put(d, e.getValue());
            layerJson.add(layer(e.getKey(), d, e.getValue().length));
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":"
                + layer(MediaTypes.DOCKER_CONFIG, configDigest, config.length) + ",\"layers\":[" + String.join(",", layerJson) + "]}";
        String manifestPath = "/v2/" + namespace + "/" + name + "/manifests/" + tag;
        server.serve(manifestPath, manifest.getBytes(StandardCharsets.UTF_8), MediaTypes.DOCKER_MANIFEST, Map.of());
        long total = 0;
        for (var b : blobs.entrySet()) {
            server.serve("/v2/" + namespace + "/" + name + "/blobs/" + b.getKey(), b.getValue());
            total += b.getValue().length;
        }
        return new Published(manifestPath, digests, blobs, total);
    }

    static Digest digest(byte[] bytes) {
        return Digest.ofBytes(Hashing.sha256().digest(bytes));
    }

    private static String layer(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size + "}";
    }
}
