package io.aixcl.gateway.http;

import java.util.Locale;
import java.util.Set;

/** Browser origins allowed to call the gateway. Empty: CORS is off, no header is ever sent, preflights fail. */
public final class CorsPolicy {

    private final Set<String> origins;

    public CorsPolicy(Set<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    public boolean enabled() {
        return !origins.isEmpty();
    }

    public boolean allows(String origin) {
        return origin != null && !origins.isEmpty() && origins.contains(origin.toLowerCase(Locale.ROOT));
    }

    /** Requested headers are echoed when they are plain header names; anything else falls back to the usual two. */
    public static String allowedHeaders(String requested) {
        if (requested == null || requested.isBlank() || requested.length() > 1024) {
            return "Authorization, Content-Type";
        }
        for (int i = 0; i < requested.length(); i++) {
            char c = requested.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == ',' || c == ' ';
            if (!ok) {
                return "Authorization, Content-Type";
            }
        }
        return requested;
    }
}
