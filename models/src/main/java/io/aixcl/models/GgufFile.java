package io.aixcl.models;

import io.aixcl.core.models.GgufSummary;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A validated GGUF header. Scalar metadata keeps its value (Long, Double, Boolean or String); arrays keep only
 * their element type and count, since a tokenizer's 150k strings are not worth holding.
 */
public record GgufFile(int version, Map<String, Object> metadata, List<Tensor> tensors, long dataOffset, long fileSize) {

    public record Tensor(String name, long[] dims, String type, long offset, long elements, long bytes) {}

    public record ArrayValue(String elementType, long count) {}

    public GgufSummary summary() {
        String arch = metadata.get("general.architecture") instanceof String s ? s : "unknown";
        String name = metadata.get("general.name") instanceof String s ? s : "";
        long params;
        boolean estimated;
        if (metadata.get("general.parameter_count") instanceof Long n && n >= 0) {
            params = n;
            estimated = false;
        } else {
            params = tensors.stream().mapToLong(Tensor::elements).reduce(0L, GgufFile::saturatingAdd);
            estimated = true;
        }
        String quantization = metadata.get("general.file_type") instanceof Long ft
                ? FileTypes.name(ft)
                : dominantTensorType();
        OptionalLong context = metadata.get(arch + ".context_length") instanceof Long n && n >= 0
                ? OptionalLong.of(n) : OptionalLong.empty();
        return new GgufSummary(version, arch, name, params, estimated, quantization, context,
                tensors.size(), metadata.size(), fileSize);
    }

    private String dominantTensorType() {
        var bytesByType = new java.util.HashMap<String, Long>();
        for (Tensor t : tensors) {
            bytesByType.merge(t.type(), t.bytes(), GgufFile::saturatingAdd);
        }
        return bytesByType.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("unknown");
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
