package io.aixcl.gateway.inference;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** One shared, thread-safe Jackson setup: requests are read as trees, responses written by streaming. */
public final class Json {

    /** Nesting beyond this is no request either protocol defines; refusing it early bounds the parser's work. */
    private static final int MAX_NESTING = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    // One builder per thread, reused: a new one per answer started at 256 bytes, grew by a 1,000-byte block and was
    // copied out, a sixth of the bytes a proxied request allocated. Held by the event loops (and a stream's thread).
    private static final ThreadLocal<ByteArrayBuilder> OUT = ThreadLocal.withInitial(() -> new ByteArrayBuilder(2048));

    private Json() {
    }

    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator json) throws IOException;
    }

    public static byte[] write(Writer writer) {
        return write(null, writer, null);
    }

    /** {@code prefix}, the JSON, {@code suffix}: one SSE event or NDJSON line in one buffer. */
    public static byte[] write(byte[] prefix, Writer writer, byte[] suffix) {
        ByteArrayBuilder reused = OUT.get();
        // A writer that writes JSON itself finds the thread's builder in use: it gets one of its own.
        ByteArrayBuilder out = reused.size() == 0 ? reused : new ByteArrayBuilder(1024);
        try {
            if (prefix != null) {
                out.write(prefix);
            }
            try (JsonGenerator json = FACTORY.createGenerator(out)) {
                writer.write(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // writing to memory does not fail
            }
            if (suffix != null) {
                out.write(suffix);
            }
            return out.toByteArray();
        } finally {
            out.reset(); // keeps its current block for the next answer
        }
    }

    /**
     * The body as a JSON object. The message names where the syntax broke, never what was there: parser messages
     * quote the input, which may be a prompt, and error messages reach the audit log.
     */
    public static ObjectNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw ApiError.invalid(null, "the request body is empty; a JSON object is expected").failure();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String what = e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException
                    ? "the request body nests deeper than " + MAX_NESTING + " levels"
                    : "the request body is not valid JSON";
            throw ApiError.invalid(null, what + where).failure();
        } catch (IOException e) {
            throw ApiError.invalid(null, "the request body cannot be read").failure();
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.invalid(null, "the request body must be a JSON object").failure();
        }
        return object;
    }
}
