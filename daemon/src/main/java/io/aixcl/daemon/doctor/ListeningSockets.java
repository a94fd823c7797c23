package io.aixcl.daemon.doctor;

import io.aixcl.core.doctor.Facts.Listener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The host's listening TCP sockets, read from /proc/net/tcp and tcp6 (this network namespace's view). */
final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    static List<Listener> read() {
        List<Listener> all = new ArrayList<>();
        all.addAll(parse(Path.of("/proc/net/tcp")));
        all.addAll(parse(Path.of("/proc/net/tcp6")));
        return all;
    }

    static List<Listener> parse(Path table) {
        List<Listener> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return out;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !LISTEN.equals(f[3])) {
                continue;
            }
            int colon = f[1].indexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                InetAddress address = address(f[1].substring(0, colon));
                int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                out.add(new Listener(address.getHostAddress(), port, address.isLoopbackAddress()
                        || isMappedLoopback(address)));
            } catch (IllegalArgumentException | UnknownHostException e) {
                // a line this parser does not understand is skipped, not fatal
            }
        }
        return out;
    }

    /** The kernel prints addresses as 32-bit words in host (little-endian) order. */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] ordered = new byte[raw.length];
        for (int word = 0; word < raw.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                ordered[word * 4 + i] = raw[word * 4 + 3 - i];
            }
        }
        return InetAddress.getByAddress(ordered);
    }

    private static boolean isMappedLoopback(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff && b[12] == 127;
    }
}
