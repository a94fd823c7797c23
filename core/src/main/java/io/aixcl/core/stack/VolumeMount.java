package io.aixcl.core.stack;

import java.util.regex.Pattern;

/** A named volume mounted into a container. Host paths are not volumes: bind mounts are not offered. */
public record VolumeMount(String volume, String containerPath, boolean readOnly) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static boolean isValidContainerPath(String path) {
        return path != null && path.startsWith("/") && !path.contains("..") && !path.contains("\0")
                && !path.contains(":") && path.length() < 4096;
    }
}
