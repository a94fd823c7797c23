package io.aixcl.core.models;

import io.aixcl.core.AixclException;

/** A model file is not a well-formed GGUF file; the message says where (byte offset) and what was wrong. */
public final class InvalidModelFile extends AixclException.InvalidInput {
    private final long offset;

    public InvalidModelFile(String message, long offset) {
        super(offset >= 0 ? message + " (at byte " + offset + ")" : message);
        this.offset = offset;
    }

    /** The byte offset where the problem was found, or -1 when it is not about one place. */
    public long offset() {
        return offset;
    }
}
