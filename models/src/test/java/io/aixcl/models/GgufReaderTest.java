package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.models.GgufSummary;
import io.aixcl.core.models.InvalidModelFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {
    @TempDir Path tmp;

    @Test
    void readsTheRealTinyModelsHeader() {
        GgufSummary s = GgufReader.read(TestModels.tinyLlama()).summary();

        assertThat(s.version()).isEqualTo(3);
        assertThat(s.architecture()).isEqualTo("llama");
        assertThat(s.modelName()).isEqualTo("LLaMA v2");
        assertThat(s.quantization()).isEqualTo("F16");
        assertThat(s.contextLength()).hasValue(4096);
        assertThat(s.tensorCount()).isEqualTo(12);
        assertThat(s.metadataCount()).isEqualTo(18);
        assertThat(s.fileSizeBytes()).isEqualTo(TestModels.TINY_LLAMA_SIZE);
        // No general.parameter_count in this file: summed from the tensor shapes.
        assertThat(s.parameterCountEstimated()).isTrue();
        assertThat(s.parameterCount()).isBetween(100_000L, 1_000_000L);
    }

    @Test
    void prefersTheDeclaredParameterCount() throws IOException {
        Path f = write(new GgufBuilder().string("general.architecture", "qwen2").parameterCount(494_032_768).tensor(64).build());

        GgufSummary s = GgufReader.read(f).summary();

        assertThat(s.parameterCount()).isEqualTo(494_032_768L);
        assertThat(s.parameterCountEstimated()).isFalse();
        assertThat(s.quantization()).isEqualTo("F32"); // no general.file_type: the dominant tensor type
        assertThat(s.contextLength()).isEmpty();
    }

    @Test
    void refusesAFileWithTheWrongMagic() throws IOException {
        byte[] b = valid();
        b[0] = 'P';
        b[1] = 'K';
        assertRefused(b, "not a GGUF file: the magic is 'PKUF'");
    }

    @Test
    void refusesVersionOne() throws IOException {
        byte[] b = valid();
        putU32(b, 4, 1);
        assertRefused(b, "unsupported GGUF version 1 (supported: 2 and 3)");
    }

    @Test
    void refusesAbsurdTensorAndMetadataCounts() throws IOException {
        byte[] b = valid();
        putU64(b, 8, -1L);
        assertRefused(b, "absurd tensor count 18446744073709551615");

        byte[] c = valid();
        putU64(c, 16, 500_000);
        assertRefused(c, "500000 metadata entries cannot fit");
    }

    @Test
    void refusesAStringLongerThanTheFile() throws IOException {
        byte[] b = valid();
        putU64(b, 24, 60_000); // the first key's length
        assertRefused(b, "file is truncated: metadata key #0 needs 60000 bytes");
    }

    @Test
    void refusesAnAbsurdStringLength() throws IOException {
        byte[] b = valid();
        putU64(b, 24, Long.MIN_VALUE);
        assertRefused(b, "metadata key #0 claims an absurd length 9223372036854775808");
    }

    @Test
    void refusesUnknownValueTypes() throws IOException {
        byte[] b = valid();
        int typeAt = 24 + 8 + "general.architecture".length();
        putU32(b, typeAt, 99);
        assertRefused(b, "metadata 'general.architecture' has unknown value type 99");
    }

    @Test
    void refusesNestedArraysAndBadArrayTypes() throws IOException {
        var out = new GgufBuilder.Out();
        out.raw("GGUF".getBytes()).u32(3).u64(0).u64(1).str("a").u32(9).u32(9).u64(1);
        assertRefused(out.bytes(), "array 'a' holds arrays");

        var out2 = new GgufBuilder.Out();
        out2.raw("GGUF".getBytes()).u32(3).u64(0).u64(1).str("a").u32(9).u32(42).u64(1);
        assertRefused(out2.bytes(), "array 'a' has unknown element type 42");

        var out3 = new GgufBuilder.Out();
        out3.raw("GGUF".getBytes()).u32(3).u64(0).u64(1).str("a").u32(9).u32(8).u64(1L << 40);
        assertRefused(out3.bytes(), "array 'a' claims an absurd length 1099511627776");
    }

    @Test
    void refusesDuplicateKeysAndAMissingArchitecture() throws IOException {
        assertRefused(new GgufBuilder().string("general.architecture", "a").string("general.architecture", "b").build(),
                "metadata key 'general.architecture' appears twice");
        assertRefused(new GgufBuilder().string("general.name", "x").build(), "no general.architecture");
    }

    @Test
    void detectsTruncationInsideTheTensorData() throws IOException {
        byte[] b = Files.readAllBytes(TestModels.tinyLlama());
        assertRefused(Arrays.copyOf(b, b.length - 1), "file is truncated: tensor");
    }

    @Test
    void detectsTruncationInsideTheHeader() throws IOException {
        byte[] b = valid();
        assertRefused(Arrays.copyOf(b, 60), "file is truncated: the length of the value of 'general.architecture' needs 8 bytes but only 4 are left");
    }

    @Test
    void everyMutationOrTruncationOfTheRealModelParsesOrFailsPrecisely() throws IOException {
        byte[] original = Files.readAllBytes(TestModels.tinyLlama());
        // The header (metadata + tensor infos) is where parsing decisions happen; tensor data is opaque bytes.
        int headerEnd = (int) GgufReader.read(TestModels.tinyLlama()).dataOffset();
        var random = new Random(20260101);
        int parsed = 0;
        int refused = 0;
        for (int round = 0; round < 1000; round++) {
            byte[] b = original.clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(headerEnd);
                switch (random.nextInt(4)) {
                    case 0 -> b[at] = (byte) random.nextInt(256);
                    case 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> b[at] = (byte) 0xff;
                    default -> putU64(b, Math.min(at, headerEnd - 8), random.nextLong() >>> random.nextInt(64));
                }
            }
            if (random.nextInt(3) == 0) {
                b = Arrays.copyOf(b, random.nextInt(b.length));
            }
            try {
                GgufReader.read(new InMemoryChannel(b), b.length);
                parsed++;
            } catch (InvalidModelFile e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            }
        }
        assertThat(parsed + refused).isEqualTo(1000);
        assertThat(refused).isPositive();
    }

    /** The fuzz loop reads from memory: writing a thousand copies of the file would dominate the test's time. */
    private static final class InMemoryChannel implements java.nio.channels.SeekableByteChannel {
        private final byte[] data;
        private long position;

        InMemoryChannel(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= data.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), data.length - position);
            dst.put(data, (int) position, n);
            position += n;
            return n;
        }

        @Override public int write(ByteBuffer src) { throw new UnsupportedOperationException(); }
        @Override public long position() { return position; }
        @Override public InMemoryChannel position(long p) { position = p; return this; }
        @Override public long size() { return data.length; }
        @Override public InMemoryChannel truncate(long size) { throw new UnsupportedOperationException(); }
        @Override public boolean isOpen() { return true; }
        @Override public void close() {}
    }

    private static byte[] valid() {
        return new GgufBuilder().string("general.architecture", "llama").tensor(64).build();
    }

    private void assertRefused(byte[] bytes, String message) throws IOException {
        Path f = write(bytes);
        assertThatThrownBy(() -> GgufReader.read(f)).isInstanceOf(InvalidModelFile.class).hasMessageContaining(message);
    }

    private Path write(byte[] bytes) throws IOException {
        Path f = Files.createTempFile(tmp, "m", ".gguf");
        Files.write(f, bytes);
        return f;
    }

    private static void putU32(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
    }

    private static void putU64(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }
}
