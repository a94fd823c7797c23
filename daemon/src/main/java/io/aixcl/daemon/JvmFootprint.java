package io.aixcl.daemon;

/**
 * Settings, made before any library class loads, that keep the daemon's resident memory small (it idles most of its
 * life, and the target is under 120 MB: docs/PERFORMANCE.md, "Daemon idle RSS"), and its stderr and CPU free of what
 * only a library's debugging needs.
 */
final class JvmFootprint {
    /** Jetty's cache-line padding hint; below 32 GiB of heap the JVM compresses references to 4 bytes. */
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";
    static final String NETTY_NO_UNSAFE = "io.netty.noUnsafe";
    static final String NETTY_MACHINE_ID = "io.netty.machineId";
    static final String NETTY_MAX_ORDER = "io.netty.allocator.maxOrder";
    static final String NETTY_LEAK_DETECTION = "io.netty.leakDetection.level";

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
        // Netty's pooled allocator carves buffers out of chunks of 8 KiB << maxOrder: 4 MiB each by default, one per
        // arena a thread uses, zeroed when made (a heap array, or a direct buffer without Unsafe). The first upstream
        // poll or client request then costs megabytes for buffers of a few KiB; 64 KiB chunks hold every buffer the
        // gateway reads or writes (bigger ones are allocated unpooled).
        if (System.getProperty(NETTY_MAX_ORDER) == null) {
            System.setProperty(NETTY_MAX_ORDER, "3");
        }
        // Netty samples buffer allocations for leaks, each sample with a stack trace (~1% of the gateway's CPU under
        // load, async-profiler); the tests run with the default, where a leak would show.
        if (System.getProperty(NETTY_LEAK_DETECTION) == null) {
            System.setProperty(NETTY_LEAK_DETECTION, "disabled");
        }
        // Unset, Netty's first channel id walks the network interfaces for a MAC address (sun.net classes, native
        // calls) only to tell this process's connections apart: random bytes do that as well.
        if (System.getProperty(NETTY_MACHINE_ID) == null) {
            byte[] id = new byte[8];
            new java.util.Random().nextBytes(id);
            StringBuilder hex = new StringBuilder();
            for (byte b : id) {
                hex.append(hex.isEmpty() ? "" : ":").append(String.format("%02x", b & 0xff));
            }
            System.setProperty(NETTY_MACHINE_ID, hex.toString());
        }
    }
}
