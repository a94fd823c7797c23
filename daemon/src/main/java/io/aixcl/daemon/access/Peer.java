package io.aixcl.daemon.access;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/** Who is on the other end of a Unix socket connection, as the kernel says (SO_PEERCRED), not as they claim. */
public record Peer(String user, String group) {

    public static Optional<Peer> of(Object transport) {
        if (!(transport instanceof SocketChannel channel)) {
            return Optional.empty();
        }
        try {
            UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return Optional.of(new Peer(p.user().getName(), p.group().getName()));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "user " + user + " (group " + group + ")";
    }
}
