// Run as a source file (java GgufBlob.java OUT BYTES): a GGUF v3 file of exactly BYTES bytes (a multiple of 32) that
// the models module's GgufReader accepts, laid out as the module's test GgufBuilder lays it out: the llama
// architecture, one F32 tensor filling the rest. The tensor bytes are pseudo-random, written in 8 MiB blocks.
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

public final class GgufBlob {

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        long total = Long.parseLong(args[1]);
        if (total % 32 != 0) {
            throw new IllegalArgumentException("BYTES must be a multiple of 32 (the GGUF alignment)");
        }
        int headerBytes = header(0).length; // the same length whatever the element count: fixed-width fields
        long elements = (total - headerBytes) / 4;
        byte[] header = header(elements);
        if (header.length + elements * 4 != total) {
            throw new IllegalStateException("layout does not add up to " + total);
        }
        SplittableRandom random = new SplittableRandom(42);
        byte[] block = new byte[8 << 20];
        try (OutputStream o = Files.newOutputStream(out)) {
            o.write(header);
            for (long left = elements * 4; left > 0; left -= block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    ByteBuffer.wrap(block, i, 8).putLong(random.nextLong());
                }
                o.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    private static byte[] header(long elements) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(1).putLong(2);
        str(b, "general.architecture").putInt(8);
        str(b, "llama");
        str(b, "llama.context_length").putInt(4).putInt(4096);
        str(b, "t0").putInt(1).putLong(elements).putInt(0).putLong(0); // 1 dimension, F32, data offset 0
        while (b.position() % 32 != 0) {
            b.put((byte) 0);
        }
        byte[] h = new byte[b.position()];
        b.flip().get(h);
        return h;
    }

    private static ByteBuffer str(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return b.putLong(bytes.length).put(bytes);
    }
}
