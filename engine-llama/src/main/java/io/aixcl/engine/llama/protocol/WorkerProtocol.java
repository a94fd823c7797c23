package io.aixcl.engine.llama.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes frames as {@code int length, byte tag, fields}; strings as {@code int length, UTF-8}. A binary frame
 * rather than JSON keeps the worker's classpath to llama.cpp alone and costs nothing per token.
 */
public final class WorkerProtocol {

    /** Refuses a length beyond this, so a corrupt or hostile peer cannot make us allocate without bound. */
    public static final int MAX_FRAME_BYTES = 64 << 20;

    private static final byte LOAD = 1, UNLOAD = 2, GENERATE = 3, CANCEL = 4, SHUTDOWN = 5;
    private static final byte HELLO = 64, LOADED = 65, UNLOADED = 66, TOKEN = 67, DONE = 68, FAILED = 69;

    private WorkerProtocol() {
    }

    /** The frame with its length prefix. */
    public static byte[] encode(Frame frame) {
        var bytes = new ByteArrayOutputStream(64);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(0); // length, patched below
            switch (frame) {
                case Frame.Load f -> {
                    out.writeByte(LOAD);
                    out.writeLong(f.call());
                    writeString(out, f.modelId());
                    writeString(out, f.path());
                    out.writeInt(f.contextTokens());
                    out.writeInt(f.parallel());
                    out.writeInt(f.threads());
                }
                case Frame.Unload f -> {
                    out.writeByte(UNLOAD);
                    out.writeLong(f.call());
                    writeString(out, f.modelId());
                }
                case Frame.Generate f -> {
                    out.writeByte(GENERATE);
                    out.writeLong(f.call());
                    writeString(out, f.modelId());
                    writeString(out, f.prompt());
                    out.writeInt(f.messages().size());
                    for (Frame.Message m : f.messages()) {
                        writeString(out, m.role());
                        writeString(out, m.content());
                    }
                    out.writeDouble(f.temperature());
                    out.writeDouble(f.topP());
                    out.writeInt(f.maxTokens());
                    out.writeInt(f.stop().size());
                    for (String s : f.stop()) {
                        writeString(out, s);
                    }
                    out.writeBoolean(f.seeded());
                    out.writeLong(f.seed());
                }
                case Frame.Cancel f -> {
                    out.writeByte(CANCEL);
                    out.writeLong(f.call());
                }
                case Frame.Shutdown f -> out.writeByte(SHUTDOWN);
                case Frame.Hello f -> {
                    out.writeByte(HELLO);
                    out.writeLong(f.pid());
                }
                case Frame.Loaded f -> {
                    out.writeByte(LOADED);
                    out.writeLong(f.call());
                }
                case Frame.Unloaded f -> {
                    out.writeByte(UNLOADED);
                    out.writeLong(f.call());
                }
                case Frame.Token f -> {
                    out.writeByte(TOKEN);
                    out.writeLong(f.call());
                    writeString(out, f.text());
                }
                case Frame.Done f -> {
                    out.writeByte(DONE);
                    out.writeLong(f.call());
                    writeString(out, f.finishReason());
                    out.writeInt(f.promptTokens());
                    out.writeInt(f.completionTokens());
                }
                case Frame.Failed f -> {
                    out.writeByte(FAILED);
                    out.writeLong(f.call());
                    out.writeByte(f.kind().ordinal());
                    writeString(out, f.message());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        byte[] frameBytes = bytes.toByteArray();
        int length = frameBytes.length - 4;
        if (length > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds " + MAX_FRAME_BYTES);
        }
        frameBytes[0] = (byte) (length >>> 24);
        frameBytes[1] = (byte) (length >>> 16);
        frameBytes[2] = (byte) (length >>> 8);
        frameBytes[3] = (byte) length;
        return frameBytes;
    }

    /** Decodes one frame body (without its length prefix). */
    public static Frame decode(byte[] body) throws IOException {
        var in = new DataInputStream(new ByteArrayInputStream(body));
        byte tag = in.readByte();
        Frame frame = switch (tag) {
            case LOAD -> new Frame.Load(in.readLong(), readString(in), readString(in), in.readInt(), in.readInt(),
                    in.readInt());
            case UNLOAD -> new Frame.Unload(in.readLong(), readString(in));
            case GENERATE -> {
                long call = in.readLong();
                String modelId = readString(in);
                String prompt = readString(in);
                int messageCount = readCount(in);
                List<Frame.Message> messages = new ArrayList<>(messageCount);
                for (int i = 0; i < messageCount; i++) {
                    messages.add(new Frame.Message(readString(in), readString(in)));
                }
                double temperature = in.readDouble();
                double topP = in.readDouble();
                int maxTokens = in.readInt();
                int stopCount = readCount(in);
                List<String> stop = new ArrayList<>(stopCount);
                for (int i = 0; i < stopCount; i++) {
                    stop.add(readString(in));
                }
                yield new Frame.Generate(call, modelId, prompt, messages, temperature, topP, maxTokens, stop,
                        in.readBoolean(), in.readLong());
            }
            case CANCEL -> new Frame.Cancel(in.readLong());
            case SHUTDOWN -> new Frame.Shutdown();
            case HELLO -> new Frame.Hello(in.readLong());
            case LOADED -> new Frame.Loaded(in.readLong());
            case UNLOADED -> new Frame.Unloaded(in.readLong());
            case TOKEN -> new Frame.Token(in.readLong(), readString(in));
            case DONE -> new Frame.Done(in.readLong(), readString(in), in.readInt(), in.readInt());
            case FAILED -> {
                long call = in.readLong();
                int kind = in.readUnsignedByte();
                if (kind >= Frame.FailureKind.values().length) {
                    throw new IOException("unknown failure kind " + kind);
                }
                yield new Frame.Failed(call, Frame.FailureKind.values()[kind], readString(in));
            }
            default -> throw new IOException("unknown frame tag " + tag);
        };
        if (in.available() != 0) {
            throw new IOException("frame " + frame.getClass().getSimpleName() + " has " + in.available()
                    + " trailing bytes");
        }
        return frame;
    }

    /** Validates a length prefix read from the wire. */
    public static int checkLength(int length) throws IOException {
        if (length < 1 || length > MAX_FRAME_BYTES) {
            throw new IOException("bad frame length " + length);
        }
        return length;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new EOFException("string of " + length + " bytes overruns the frame");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static int readCount(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new EOFException("count " + count + " overruns the frame");
        }
        return count;
    }
}
