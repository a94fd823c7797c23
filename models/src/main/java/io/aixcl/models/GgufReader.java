package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.InvalidModelFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates a GGUF header (versions 2 and 3) before a model is registered, so a bad file fails here with
 * a precise message and an offset instead of inside an engine. Every count and length is bounded by what the file
 * can hold; tensor data must lie inside the file (which is how truncation shows).
 */
public final class GgufReader {
    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final long MAX_TENSORS = 1L << 20;
    static final long MAX_METADATA = 1L << 20;
    static final long MAX_ARRAY_ELEMENTS = 1L << 28;
    static final int MAX_KEY_BYTES = 64 * 1024;
    static final int MAX_STRING_BYTES = 64 * 1024 * 1024;
    static final int MAX_TENSOR_NAME_BYTES = 63; // ggml's GGML_MAX_NAME is 64 with the terminating NUL
    static final int MAX_DIMS = 4;
    static final int DEFAULT_ALIGNMENT = 32;

    // Smallest encodings, used to bound counts by the bytes left: key length + type + 1-byte value;
    // name length + n_dims + one dim + type + offset.
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    private GgufReader() {}

    public static GgufFile read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, ch.size());
        } catch (NoSuchFileException e) {
            throw new AixclException.NotFound("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    static GgufFile read(java.nio.channels.SeekableByteChannel channel, long size) {
        var in = new GgufCursor(channel, size);
        if (size < 4) {
            throw new InvalidModelFile("not a GGUF file: only " + size + " bytes", -1);
        }
        int magic = in.u32AsInt("the magic");
        if (magic != MAGIC) {
            throw new InvalidModelFile("not a GGUF file: the magic is " + printableMagic(magic) + ", expected 'GGUF'", 0);
        }
        long version = in.u32("the version");
        if (version != 2 && version != 3) {
            throw new InvalidModelFile("unsupported GGUF version " + version + " (supported: 2 and 3)", 4);
        }
        long tensorCount = in.u64("the tensor count");
        long kvCount = in.u64("the metadata count");
        checkCount("tensor", tensorCount, MAX_TENSORS, in.remaining() / MIN_TENSOR_INFO_BYTES, 8);
        checkCount("metadata", kvCount, MAX_METADATA, in.remaining() / MIN_KV_BYTES, 16);

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = in.position();
            String key = string(in, MAX_KEY_BYTES, "metadata key #" + i);
            if (key.isEmpty()) {
                throw new InvalidModelFile("metadata key #" + i + " is empty", at);
            }
            long type = in.u32("the type of '" + key + "'");
            Object value = value(in, type, key);
            if (metadata.putIfAbsent(key, value) != null) {
                throw new InvalidModelFile("metadata key '" + key + "' appears twice", at);
            }
        }

        long alignment = DEFAULT_ALIGNMENT;
        if (metadata.containsKey("general.alignment")) {
            if (!(metadata.get("general.alignment") instanceof Long a) || a <= 0 || Long.bitCount(a) != 1) {
                throw new InvalidModelFile("general.alignment must be a power of two, got " + metadata.get("general.alignment"), -1);
            }
            alignment = a;
        }
        if (!(metadata.get("general.architecture") instanceof String arch) || arch.isBlank()) {
            throw new InvalidModelFile("the file has no general.architecture: engines cannot tell what model it is", -1);
        }

        List<RawTensor> raw = new ArrayList<>();
        var names = new HashSet<String>();
        for (long i = 0; i < tensorCount; i++) {
            raw.add(tensorInfo(in, i, names));
        }
        long dataOffset = alignUp(in.position(), alignment);
        if (dataOffset > size) {
            throw new InvalidModelFile("file is truncated: tensor data would start at byte " + dataOffset
                    + " but the file has " + size + " bytes", in.position());
        }
        long dataSize = size - dataOffset;
        List<GgufFile.Tensor> tensors = new ArrayList<>(raw.size());
        for (RawTensor t : raw) {
            if (t.offset % alignment != 0) {
                throw new InvalidModelFile("tensor '" + t.name + "' data offset " + t.offset
                        + " is not a multiple of the alignment " + alignment, t.at);
            }
            if (t.offset > dataSize || t.bytes > dataSize - t.offset) {
                throw new InvalidModelFile("file is truncated: tensor '" + t.name + "' needs bytes up to "
                        + (t.offset > Long.MAX_VALUE - dataOffset - t.bytes ? "beyond 2^63" : dataOffset + t.offset + t.bytes)
                        + " but the file has " + size, t.at);
            }
            tensors.add(new GgufFile.Tensor(t.name, t.dims, t.type.name(), t.offset, t.elements, t.bytes));
        }
        return new GgufFile((int) version, java.util.Collections.unmodifiableMap(metadata), List.copyOf(tensors), dataOffset, size);
    }

    private record RawTensor(String name, long[] dims, GgmlType type, long offset, long elements, long bytes, long at) {}

    private static RawTensor tensorInfo(GgufCursor in, long index, HashSet<String> names) {
        long at = in.position();
        String name = string(in, MAX_TENSOR_NAME_BYTES, "the name of tensor #" + index);
        if (!names.add(name)) {
            throw new InvalidModelFile("tensor name '" + name + "' appears twice", at);
        }
        long nDims = in.u32("the dimension count of tensor '" + name + "'");
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw new InvalidModelFile("tensor '" + name + "' has " + nDims + " dimensions (1 to " + MAX_DIMS + " allowed)", at);
        }
        long[] dims = new long[(int) nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            dims[d] = in.u64("dimension " + d + " of tensor '" + name + "'");
            if (dims[d] < 0) {
                throw new InvalidModelFile("tensor '" + name + "' dimension " + d + " is absurd (above 2^63)", at);
            }
            try {
                elements = Math.multiplyExact(elements, dims[d]);
            } catch (ArithmeticException e) {
                throw new InvalidModelFile("tensor '" + name + "' has more elements than 2^63", at);
            }
        }
        long typeId = in.u32("the type of tensor '" + name + "'");
        GgmlType type = GgmlType.byId(typeId).orElseThrow(
                () -> new InvalidModelFile("tensor '" + name + "' has unknown element type " + typeId, at));
        if (dims[0] % type.blockSize != 0) {
            throw new InvalidModelFile("tensor '" + name + "' row length " + dims[0] + " is not a multiple of "
                    + type + "'s block size " + type.blockSize, at);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements / type.blockSize, type.typeSize);
        } catch (ArithmeticException e) {
            throw new InvalidModelFile("tensor '" + name + "' is larger than 2^63 bytes", at);
        }
        long offset = in.u64("the data offset of tensor '" + name + "'");
        if (offset < 0) {
            throw new InvalidModelFile("tensor '" + name + "' data offset is absurd (above 2^63)", at);
        }
        return new RawTensor(name, dims, type, offset, elements, bytes, at);
    }

    private static Object value(GgufCursor in, long type, String key) {
        return switch ((int) Math.min(type, Integer.MAX_VALUE)) {
            case 0 -> (long) in.u8(key);
            case 1 -> (long) (byte) in.u8(key);
            case 2 -> (long) (in.u8(key) | in.u8(key) << 8);
            case 3 -> (long) (short) (in.u8(key) | in.u8(key) << 8);
            case 4 -> in.u32(key);
            case 5 -> (long) in.u32AsInt(key);
            case 6 -> (double) Float.intBitsToFloat(in.u32AsInt(key));
            case 7 -> in.u8(key) != 0;
            case 8 -> string(in, MAX_STRING_BYTES, "the value of '" + key + "'");
            case 9 -> array(in, key);
            case 10, 11 -> in.u64(key);
            case 12 -> Double.longBitsToDouble(in.u64(key));
            default -> throw new InvalidModelFile("metadata '" + key + "' has unknown value type " + type, in.position() - 4);
        };
    }

    private static GgufFile.ArrayValue array(GgufCursor in, String key) {
        long at = in.position();
        long elementType = in.u32("the element type of array '" + key + "'");
        long count = in.u64("the length of array '" + key + "'");
        int elementSize = switch ((int) Math.min(elementType, Integer.MAX_VALUE)) {
            case 0, 1, 7 -> 1;
            case 2, 3 -> 2;
            case 4, 5, 6 -> 4;
            case 10, 11, 12 -> 8;
            case 8 -> 8; // the smallest string is its 8-byte length
            case 9 -> throw new InvalidModelFile("array '" + key + "' holds arrays; nested arrays are not supported", at);
            default -> throw new InvalidModelFile("array '" + key + "' has unknown element type " + elementType, at);
        };
        if (count < 0 || count > MAX_ARRAY_ELEMENTS) {
            throw new InvalidModelFile("array '" + key + "' claims an absurd length " + Long.toUnsignedString(count), at + 4);
        }
        in.require(count * elementSize, count + " elements of array '" + key + "'");
        if (elementType == 8) {
            // Tokenizers hold 100k+ strings: describe the element once, not per string.
            String element = "a string of array '" + key + "'";
            for (long i = 0; i < count; i++) {
                long len = in.u64(element);
                if (len < 0 || len > MAX_STRING_BYTES) {
                    throw new InvalidModelFile("string " + i + " of array '" + key + "' claims an absurd length "
                            + Long.toUnsignedString(len), in.position() - 8);
                }
                in.skip(len, element);
            }
        } else {
            in.skip(count * elementSize, "array '" + key + "'");
        }
        return new GgufFile.ArrayValue(typeName(elementType), count);
    }

    private static String string(GgufCursor in, int max, String what) {
        long len = in.u64("the length of " + what);
        if (len < 0 || len > max) {
            throw new InvalidModelFile(what + " claims an absurd length " + Long.toUnsignedString(len)
                    + " (at most " + max + " bytes)", in.position() - 8);
        }
        in.require(len, what);
        return new String(in.bytes((int) len, what), StandardCharsets.UTF_8);
    }

    private static void checkCount(String what, long count, long cap, long fits, long at) {
        if (count < 0 || count > cap) {
            throw new InvalidModelFile("absurd " + what + " count " + Long.toUnsignedString(count) + " (at most " + cap + ")", at);
        }
        if (count > fits) {
            throw new InvalidModelFile("file is truncated or corrupt: " + count + " " + what
                    + " entries cannot fit in the bytes that are left", at);
        }
    }

    private static long alignUp(long offset, long alignment) {
        long r = offset % alignment;
        return r == 0 ? offset : offset + (alignment - r);
    }

    private static String typeName(long t) {
        return switch ((int) t) {
            case 0 -> "u8"; case 1 -> "i8"; case 2 -> "u16"; case 3 -> "i16"; case 4 -> "u32"; case 5 -> "i32";
            case 6 -> "f32"; case 7 -> "bool"; case 8 -> "string"; case 10 -> "u64"; case 11 -> "i64"; default -> "f64";
        };
    }

    private static String printableMagic(int magic) {
        byte[] b = {(byte) magic, (byte) (magic >> 8), (byte) (magic >> 16), (byte) (magic >> 24)};
        StringBuilder sb = new StringBuilder("'");
        for (byte x : b) {
            sb.append(x >= 0x20 && x < 0x7f ? String.valueOf((char) x) : String.format("\\x%02x", x & 0xff));
        }
        return sb.append("'").toString();
    }
}
