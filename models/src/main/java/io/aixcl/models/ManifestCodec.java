package io.aixcl.models;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads and writes manifests. Manifests come from registries, so they are untrusted: parsing is bounded (depth,
 * string length, layer count) and every field is checked, with a message naming the field.
 */
final class ManifestCodec {
    static final int MAX_LAYERS = 64;
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,126}/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,126}");

    private final ObjectMapper mapper;
    private final long maxBlobBytes;

    ManifestCodec(long maxBlobBytes) {
        this.maxBlobBytes = maxBlobBytes;
        var factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(64 * 1024).maxNumberLength(32).build())
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    /** Parses a manifest; {@code source} names where it came from in error messages. */
    Manifest parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            throw invalid(source, "not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw invalid(source, "not a JSON object");
        }
        String mediaType = root.path("mediaType").asText("");
        if (mediaType.contains("manifest.list") || mediaType.contains("image.index")) {
            throw invalid(source, "is an image index (" + mediaType + "), not a model manifest");
        }
        if (!mediaType.isEmpty() && !mediaType.equals(MediaTypes.DOCKER_MANIFEST) && !mediaType.equals(MediaTypes.OCI_MANIFEST)) {
            throw invalid(source, "has unsupported media type '" + clip(mediaType) + "'");
        }
        if (root.path("schemaVersion").asInt(-1) != 2) {
            throw invalid(source, "has schemaVersion " + clip(root.path("schemaVersion").toString()) + ", expected 2");
        }
        Optional<Manifest.Layer> config = root.hasNonNull("config")
                ? Optional.of(layer(root.get("config"), source, "config"))
                : Optional.empty();
        JsonNode layersNode = root.path("layers");
        if (!layersNode.isArray() || layersNode.isEmpty()) {
            throw invalid(source, "has no layers");
        }
        if (layersNode.size() > MAX_LAYERS) {
            throw invalid(source, "has " + layersNode.size() + " layers (at most " + MAX_LAYERS + ")");
        }
        List<Manifest.Layer> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            layers.add(layer(layersNode.get(i), source, "layers[" + i + "]"));
        }
        if (layers.stream().noneMatch(l -> l.mediaType().equals(MediaTypes.MODEL))) {
            throw invalid(source, "has no model layer (" + MediaTypes.MODEL + ")");
        }
        return new Manifest(mediaType.isEmpty() ? MediaTypes.DOCKER_MANIFEST : mediaType, config, layers);
    }

    byte[] write(Manifest m) {
        ObjectNode root = mapper.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", m.mediaType());
        m.config().ifPresent(c -> root.set("config", layerNode(c)));
        ArrayNode layers = root.putArray("layers");
        m.layers().forEach(l -> layers.add(layerNode(l)));
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    ObjectMapper mapper() {
        return mapper;
    }

    private ObjectNode layerNode(Manifest.Layer l) {
        ObjectNode n = mapper.createObjectNode();
        n.put("mediaType", l.mediaType());
        n.put("digest", l.digest().toString());
        n.put("size", l.size());
        return n;
    }

    private Manifest.Layer layer(JsonNode n, String source, String field) {
        if (!n.isObject()) {
            throw invalid(source, field + " is not an object");
        }
        String mediaType = n.path("mediaType").asText("");
        if (!MEDIA_TYPE.matcher(mediaType).matches()) {
            throw invalid(source, field + ".mediaType '" + clip(mediaType) + "' is not a media type");
        }
        Digest digest;
        try {
            digest = Digest.parse(n.path("digest").asText(""));
            if (!n.path("digest").asText("").startsWith("sha256:")) {
                throw new AixclException.InvalidInput("expected sha256:<hex>");
            }
        } catch (AixclException.InvalidInput e) {
            throw invalid(source, field + ".digest '" + clip(n.path("digest").asText("")) + "' is not a sha256 digest");
        }
        JsonNode size = n.path("size");
        if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw invalid(source, field + ".size " + clip(size.toString()) + " is not a byte count");
        }
        if (size.asLong() > maxBlobBytes) {
            throw invalid(source, field + " is " + size.asLong() + " bytes, above the limit of " + maxBlobBytes);
        }
        return new Manifest.Layer(mediaType, digest, size.asLong());
    }

    private static AixclException invalid(String source, String problem) {
        return new AixclException.Failed("the manifest of " + source + " " + problem, null);
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
