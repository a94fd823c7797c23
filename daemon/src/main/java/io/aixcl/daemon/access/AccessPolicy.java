package io.aixcl.daemon.access;

import java.util.Optional;
import java.util.Set;

/**
 * Who may use the daemon over its Unix socket: its own user, plus the users and (primary) groups configured under
 * {@code access} in settings.yaml. Everyone else is refused, root included: root can read the socket file, but
 * the daemon's authority is its user's, not a back door.
 */
public record AccessPolicy(String daemonUser, Set<String> users, Set<String> groups) {

    public AccessPolicy {
        users = Set.copyOf(users);
        groups = Set.copyOf(groups);
    }

    public sealed interface Decision permits Allowed, Refused {}

    public record Allowed(Peer peer) implements Decision {}

    public record Refused(String reason) implements Decision {}

    public Decision decide(Optional<Peer> peer) {
        if (peer.isEmpty()) {
            return new Refused("the peer's credentials cannot be read");
        }
        Peer p = peer.get();
        if (p.user().equals(daemonUser) || users.contains(p.user()) || groups.contains(p.group())) {
            return new Allowed(p);
        }
        return new Refused(p + " may not use this daemon, which belongs to " + daemonUser
                + "; add the user under 'access' in settings.yaml to allow it");
    }
}
