package io.aixcl.core.stack;

import io.aixcl.core.AixclException;
import java.util.regex.Pattern;

/**
 * A container image reference, validated against the distribution reference grammar and required to be pinned:
 * a tag other than {@code latest}, or a digest. An unpinned image changes under the user's feet.
 */
public record ImageRef(String value) {
    // [registry[:port]/]path[:tag][@digest], lowercase path components (distribution/reference grammar).
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
    private static final Pattern REFERENCE = Pattern.compile(
            "(?:(" + DOMAIN + ")/)?(" + COMPONENT + "(?:/" + COMPONENT + ")*)"
                    + "(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?");

    public ImageRef {
        String problem = problem(value);
        if (problem != null) {
            throw new AixclException.InvalidInput("invalid image reference '" + value + "': " + problem);
        }
    }

    /** Why {@code value} is not an acceptable image reference, or null when it is. */
    public static String problem(String value) {
        if (value == null || value.isBlank()) {
            return "empty";
        }
        if (value.length() > 255) {
            return "longer than 255 characters";
        }
        var m = REFERENCE.matcher(value);
        if (!m.matches()) {
            return "expected [registry/]name:tag or name@sha256:digest in lowercase";
        }
        String tag = m.group(3);
        String digest = m.group(4);
        if (tag == null && digest == null) {
            return "no tag or digest: pin an exact version (for example name:1.2.3)";
        }
        if ("latest".equals(tag) && digest == null) {
            return "'latest' is not a version: pin an exact tag or a digest";
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
