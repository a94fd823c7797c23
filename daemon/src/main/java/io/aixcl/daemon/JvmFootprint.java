package io.aixcl.daemon;

/**
 * Settings, made before any library class loads, that keep the daemon's resident memory small: it idles most of its
 * life, and the target is under 120 MB (docs/PERFORMANCE.md, "Daemon idle RSS").
 */
final class JvmFootprint {
    /** Jetty's cache-line padding hint; below 32 GiB of heap the JVM compresses references to 4 bytes. */
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";
    static final String NETTY_NO_UNSAFE = "io.netty.noUnsafe";

    private JvmFootprint() {}

    static void apply() {
        // Unset, Jetty asks the platform MBean server whether oops are compressed: that builds JMX and every
        // platform MXBean (~170 classes, ~2 MB) in a process that never uses JMX.
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            boolean compressedOops = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, compressedOops ? "16" : "8");
        }
        // Netty (the gateway's transport) would otherwise call sun.misc.Unsafe's memory methods, which JDK 24+ warns
        // about on stderr; it then allocates its direct buffers through ByteBuffer, as the JDK means them to be.
        if (System.getProperty(NETTY_NO_UNSAFE) == null) {
            System.setProperty(NETTY_NO_UNSAFE, "true");
        }
    }
}
