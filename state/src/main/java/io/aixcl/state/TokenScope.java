package io.aixcl.state;

import io.aixcl.core.AixclException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a control-plane token may do. Each scope includes the ones before it. */
public enum TokenScope {
    /** GET routes: status, plans, logs. */
    READ,
    /** Also start, stop and restart the stack and its services. */
    OPERATE,
    /** Everything, tokens and secrets included. */
    ADMIN;

    public boolean covers(TokenScope required) {
        return compareTo(required) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TokenScope parse(String s) {
        for (TokenScope scope : values()) {
            if (scope.wireName().equals(s)) {
                return scope;
            }
        }
        throw new AixclException.InvalidInput("unknown scope '" + s + "': expected one of "
                + Arrays.stream(values()).map(TokenScope::wireName).collect(Collectors.joining(", ")));
    }
}
