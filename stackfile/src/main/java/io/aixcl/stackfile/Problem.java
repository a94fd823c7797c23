package io.aixcl.stackfile;

/** One thing wrong with a stack or settings file, where it is and what was expected there. Lines and columns count from 1. */
public record Problem(String file, int line, int column, String field, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
}
