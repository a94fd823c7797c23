package io.aixcl.engine.llama;

import io.aixcl.core.inference.InferenceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cheap checks made before a path is handed to the worker, so the common mistakes get a precise message
 * rather than llama.cpp's "could not load model". Deeper validation is the model store's; anything that slips
 * through can at worst crash the worker, which is why it is a separate process.
 */
final class GgufFile {

    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian

    private GgufFile() {
    }

    static void check(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InferenceException.LoadFailed("model file " + path + " does not exist or is not a file", null);
        }
        if (!Files.isReadable(path)) {
            throw new InferenceException.LoadFailed("model file " + path + " is not readable", null);
        }
        byte[] header;
        try (InputStream in = Files.newInputStream(path)) {
            header = in.readNBytes(8);
        } catch (IOException e) {
            throw new InferenceException.LoadFailed("cannot read model file " + path + ": " + e.getMessage(), e);
        }
        if (header.length < 8 || littleEndianInt(header, 0) != MAGIC) {
            throw new InferenceException.LoadFailed("model file " + path + " is not a GGUF file (bad magic)", null);
        }
        int version = littleEndianInt(header, 4);
        if (version < 2 || version > 3) {
            throw new InferenceException.LoadFailed(
                    "model file " + path + " has GGUF version " + version + "; llama.cpp reads versions 2 and 3", null);
        }
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
