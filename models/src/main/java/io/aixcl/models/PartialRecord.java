package io.aixcl.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The small progress record beside a partial download ({@code blobs/partial/<key>.json}): the blob's size, the
 * chunking, and how many bytes of each chunk are on disk. It is written only after the data it describes was
 * forced to disk, so after a crash it may lag behind the data but never runs ahead of it.
 */
record PartialRecord(String source, long size, long chunkBytes, long[] written) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Optional<PartialRecord> load(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > 1 << 20) {
                return Optional.empty();
            }
            JsonNode n = MAPPER.readTree(Files.readAllBytes(file));
            JsonNode w = n.path("written");
            if (!w.isArray() || w.size() > 1 << 16) {
                return Optional.empty();
            }
            long[] written = new long[w.size()];
            for (int i = 0; i < written.length; i++) {
                written[i] = w.get(i).asLong(-1);
                if (written[i] < 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(new PartialRecord(n.path("source").asText(""), n.path("size").asLong(-2),
                    n.path("chunkBytes").asLong(0), written));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // an unreadable record only costs a fresh start
        }
    }

    void save(Path file) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("source", source);
        n.put("size", size);
        n.put("chunkBytes", chunkBytes);
        var arr = n.putArray("written");
        for (long w : written) {
            arr.add(w);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, MAPPER.writeValueAsBytes(n));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save download progress " + file + ": " + e.getMessage(), e);
        }
    }
}
