package io.aixcl.engine.docker;

import java.util.regex.Pattern;

/** A Docker Engine API version such as {@code 1.41}; ordered numerically, so 1.9 < 1.41. */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})");

    public static ApiVersion parse(String text) {
        var m = text == null ? null : FORMAT.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not an API version (expected MAJOR.MINOR): " + text);
        }
        return new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
