package io.aixcl.daemon.secrets;

import io.aixcl.daemon.http.Exchange;
import java.util.logging.Logger;

/**
 * Told before a secret's value is sent to a client ({@code secrets show}), so the reveal is on record first. It
 * throws to refuse: a reveal that cannot be recorded does not happen.
 *
 * <p>TODO(audit): the audit log's implementation appends an entry (actor from the connection's peer credentials or
 * token, action {@code secrets.show}, target the secret's name, never the value) and returns only once it is
 * durable; wire it in {@code Main} in place of {@link #DAEMON_LOG}.
 */
@FunctionalInterface
public interface RevealRecorder {

    void revealing(Exchange exchange, String secretName);

    /** Until the audit log is wired: a line in the daemon's log (the name only). */
    RevealRecorder DAEMON_LOG = (exchange, name) ->
            Logger.getLogger(RevealRecorder.class.getName()).info("secret '" + name + "' revealed to a client");
}
