package io.aixcl.gateway.http;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which Host headers the gateway answers, against DNS rebinding: a web page on {@code evil.example} that rebinds its
 * name to 127.0.0.1 still sends {@code Host: evil.example}. Loopback names on any port, and the configured names.
 */
public final class HostPolicy {

    private final Set<String> allowed;

    public HostPolicy(Set<String> extraNames) {
        Set<String> names = new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
        names.addAll(extraNames);
        this.allowed = Set.copyOf(names);
    }

    public boolean allows(String host) {
        if (host == null || host.isEmpty() || host.length() > 260) {
            return false;
        }
        int portStart;
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 0) {
                return false;
            }
            portStart = close + 1;
        } else {
            int colon = host.indexOf(':');
            portStart = colon < 0 ? host.length() : colon;
        }
        if (portStart < host.length()) {
            if (host.charAt(portStart) != ':' || portStart + 1 == host.length() || host.length() - portStart > 6) {
                return false;
            }
            for (int i = portStart + 1; i < host.length(); i++) {
                char c = host.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
        }
        String name = host.substring(0, portStart);
        // A trailing dot names the same host ("localhost."), and is how some rebinding tricks dress up.
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return allowed.contains(name.toLowerCase(Locale.ROOT));
    }
}
