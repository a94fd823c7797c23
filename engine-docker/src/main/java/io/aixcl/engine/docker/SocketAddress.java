package io.aixcl.engine.docker;

import java.nio.file.Path;

/** Parses the socket notations users write: a {@code unix://} URL (or, in aixcl's own setting, a path); nothing remote. */
final class SocketAddress {
    private SocketAddress() {}

    /** The socket path, or an explanation of why {@code text} is refused. */
    static SocketStrategy.Candidate parse(String text, String source, boolean barePathAllowed) {
        String t = text.trim();
        if (t.startsWith("tcp://") || t.startsWith("http://") || t.startsWith("https://") || t.startsWith("ssh://")) {
            return new SocketStrategy.Candidate.NotApplicable(source + "=" + t
                    + " is a remote engine; aixcl is local-first and only talks to unix:// sockets");
        }
        if (!barePathAllowed && !t.startsWith("unix://")) {
            return new SocketStrategy.Candidate.NotApplicable(source + "=" + t + " is not a unix:// URL");
        }
        String path = t.startsWith("unix://") ? t.substring("unix://".length()) : t;
        if (!path.startsWith("/")) {
            return new SocketStrategy.Candidate.NotApplicable(source + "=" + t
                    + " is not an absolute socket path or unix:// URL");
        }
        Path p = Path.of(path).normalize();
        return new SocketStrategy.Candidate.Proposed(p, source);
    }
}
