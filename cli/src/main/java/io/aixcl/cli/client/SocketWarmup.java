package io.aixcl.cli.client;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

/**
 * The JDK's one-time Unix-socket setup, started on a thread of its own as the process starts, so that it runs on the
 * second core while the main thread reads the arguments and the environment and checks its files. The JDK's
 * {@code UnixDomainSockets} class seeds a {@code SecureRandom} (for names of auto-bound sockets, which the CLI never
 * makes) as it initialises: that first use of the JCA reads the {@code java.security} file and builds the SUN
 * provider, interpreted, about two thirds of a fast {@code stack status --json}'s own CPU. Every Unix-domain channel
 * goes through that class, so the CLI cannot avoid it, only start it sooner and share it between two threads.
 *
 * <p>Only warms the JDK: it neither connects nor reports. A main thread that reaches a class this thread is
 * initialising waits for it (the JVM's class initialisation lock), then finds it ready; a failure here leaves the
 * class to fail again, and be reported, where the CLI uses it. A {@link Runnable} class rather than a lambda: a
 * lambda the AOT cache's training never ran is spun at run time, ~2 ms interpreted.
 */
public final class SocketWarmup implements Runnable {
    private SocketWarmup() {}

    /** Starts the warm-up on a daemon thread, which the process's end does not wait for. */
    public static void start() {
        Thread t = new Thread(new SocketWarmup(), "aixcl-socket-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** The warm-up itself, in the caller's thread (the AOT training run calls it to have its classes cached). */
    public static void runHere() {
        new SocketWarmup().run();
    }

    /**
     * On the caller's thread, while the warm-up thread reads the security properties: the SUN provider's table of
     * known OIDs ({@code SecurityProviderConstants}, {@code KnownOIDs}: ~350 enum constants, a quarter of the
     * provider's construction), which needs no security property, so the two threads build the provider's parts at
     * once. By name: a JDK-internal class ({@code Class.forName} initialises it without access to its members); on a
     * JDK without it nothing happens here, and the provider initialises what it needs where it always did.
     */
    public static void providerTablesHere() {
        try {
            Class.forName("sun.security.util.SecurityProviderConstants");
        } catch (ClassNotFoundException | LinkageError e) {
            // another JDK's internals: nothing to warm
        }
    }

    @Override
    public void run() {
        // An unconnected, unbound socket: no file, no peer. Opening it initialises UnixDomainSockets.
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.isOpen();
        } catch (IOException | RuntimeException | LinkageError e) {
            // the CLI's own connection meets, and reports, whatever failed here (a class whose initialisation
            // failed fails again where it is used), instead of this thread printing it
        }
    }
}
