package io.aixcl.engine.docker;

import java.nio.file.Path;

/** Parses the socket notations users write: an absolute path or a {@code unix://} URL; nothing remote. */
final class SocketAddress {
    private SocketAddress() {}

    /** The socket path, or an explanation of why {@code text} is refused. */
    static SocketStrategy.Candidate parse(String text, String source) {
        String t = text.trim();
        if (t.startsWith("tcp://") || t.startsWith("http://") || t.startsWith("https://") || t.startsWith("ssh://")) {
            return new SocketStrategy.Candidate.NotApplicable(source + "=" + t
                    + " is a remote engine; aixcl is local-first and only talks to unix:// sockets");
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
