package io.aixcl.models;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds small GGUF files in code: a valid header plus F32 tensors of random data, for generated test blobs. */
final class GgufBuilder {
    private final List<byte[]> kvs = new ArrayList<>();
    private final List<long[]> tensors = new ArrayList<>(); // element counts, one dimension each
    private long parameterCount = -1;
    private long seed = 1;

    GgufBuilder string(String key, String value) {
        var b = new Out();
        b.str(key).u32(8).str(value);
        kvs.add(b.bytes());
        return this;
    }

    GgufBuilder u32(String key, long value) {
        var b = new Out();
        b.str(key).u32(4).u32(value);
        kvs.add(b.bytes());
        return this;
    }

    GgufBuilder parameterCount(long n) {
        this.parameterCount = n;
        return this;
    }

    GgufBuilder tensor(long elements) {
        tensors.add(new long[] {elements});
        return this;
    }

    GgufBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** A llama-like file of about {@code bytes} bytes of tensor data. */
    static byte[] ofSize(long bytes, long seed) {
        return new GgufBuilder().string("general.architecture", "llama").u32("llama.context_length", 4096)
                .tensor(Math.max(8, bytes / 4 / 8 * 8)).seed(seed).build();
    }

    byte[] build() {
        var kvList = new ArrayList<>(kvs);
        if (parameterCount >= 0) {
            var b = new Out();
            b.str("general.parameter_count").u32(10).u64(parameterCount);
            kvList.add(b.bytes());
        }
        var out = new Out();
        out.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors.size()).u64(kvList.size());
        kvList.forEach(out::raw);
        long offset = 0;
        for (int i = 0; i < tensors.size(); i++) {
            long n = tensors.get(i)[0];
            out.str("t" + i).u32(1).u64(n).u32(0).u64(offset);
            offset += align(n * 4);
        }
        while (out.size() % 32 != 0) {
            out.raw(new byte[1]);
        }
        var random = new Random(seed);
        for (long[] t : tensors) {
            byte[] data = new byte[(int) align(t[0] * 4)];
            random.nextBytes(data);
            out.raw(data);
        }
        return out.bytes();
    }

    private static long align(long n) {
        return (n + 31) / 32 * 32;
    }

    static final class Out {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Out u32(long v) {
            return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        }

        Out u64(long v) {
            return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        Out str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).raw(b);
        }

        Out raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
