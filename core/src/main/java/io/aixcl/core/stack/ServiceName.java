package io.aixcl.core.stack;

import io.aixcl.core.AixclException;
import java.util.regex.Pattern;

/** A service's name: also part of container names and labels, so it is kept to a safe, short alphabet. */
public record ServiceName(String value) implements Comparable<ServiceName> {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    public ServiceName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new AixclException.InvalidInput("invalid service name '" + value
                    + "': expected lowercase letters, digits and '-', starting with a letter, at most 63 characters");
        }
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    public static ServiceName of(String value) {
        return new ServiceName(value);
    }

    @Override
    public int compareTo(ServiceName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
