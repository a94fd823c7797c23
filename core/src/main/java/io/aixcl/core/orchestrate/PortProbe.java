package io.aixcl.core.orchestrate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Tells whether another process already holds a loopback port. */
@FunctionalInterface
public interface PortProbe {

    boolean inUse(int port);

    /** Tries to bind 127.0.0.1:port; a listener on 0.0.0.0 or 127.0.0.1 makes that fail. */
    static PortProbe loopbackBind() {
        return port -> {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return false;
            } catch (IOException e) {
                return true;
            }
        };
    }
}
