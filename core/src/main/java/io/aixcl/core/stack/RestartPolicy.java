package io.aixcl.core.stack;

import java.util.Locale;

public record RestartPolicy(Kind kind, int maxRetries) {
    public static final RestartPolicy NO = new RestartPolicy(Kind.NO, 0);
    public static final RestartPolicy UNLESS_STOPPED = new RestartPolicy(Kind.UNLESS_STOPPED, 0);

    public enum Kind {
        NO("no"), ON_FAILURE("on-failure"), ALWAYS("always"), UNLESS_STOPPED("unless-stopped");

        private final String wire;
        Kind(String wire) { this.wire = wire; }
        public String wireName() { return wire; }
    }

    /** Parses "no", "always", "unless-stopped", "on-failure" or "on-failure:N"; null when it is none of them. */
    public static RestartPolicy parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("on-failure:")) {
            try {
                int n = Integer.parseInt(t.substring("on-failure:".length()));
                return n < 0 ? null : new RestartPolicy(Kind.ON_FAILURE, n);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        for (Kind k : Kind.values()) {
            if (k.wire.equals(t)) {
                return new RestartPolicy(k, 0);
            }
        }
        return null;
    }

    public String wireName() {
        return kind == Kind.ON_FAILURE && maxRetries > 0 ? "on-failure:" + maxRetries : kind.wire;
    }
}
