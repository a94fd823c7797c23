package io.aixcl.stackfile;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the daemon's optional TCP listener binds: {@code 127.0.0.1:8443}, {@code [::1]:8443} or
 * {@code localhost:8443}. Only IP literals and {@code localhost}: a name would make the bind depend on DNS.
 */
public record ListenAddress(String host, int port) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public ListenAddress {
        Objects.requireNonNull(host, "host is null");
    }

    /** The address, or why {@code text} is not one. */
    public static Optional<ListenAddress> parse(String text, StringBuilder why) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            why.append("expected ADDRESS:PORT (e.g. 127.0.0.1:8443 or [::1]:8443)");
            return Optional.empty();
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!host.contains(":") || !IPV6.matcher(host).matches()) {
                why.append("'").append(host).append("' is not an IPv6 address");
                return Optional.empty();
            }
        } else if (!host.equals("localhost") && !IPV4.matcher(host).matches()) {
            why.append("expected an IP address or 'localhost' before the port (IPv6 in brackets: [::1]:8443)");
            return Optional.empty();
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            why.append("port '").append(portText).append("' is not a number from 1 to 65535");
            return Optional.empty();
        }
        try {
            inet(host); // an IPv6 literal of the right characters may still be malformed
        } catch (UnknownHostException e) {
            why.append("'").append(host).append("' is not an IP address");
            return Optional.empty();
        }
        return Optional.of(new ListenAddress(host, port));
    }

    /** As {@link #parse(String, StringBuilder)}, throwing the reason. */
    public static ListenAddress of(String text) {
        StringBuilder why = new StringBuilder();
        return parse(text, why).orElseThrow(() -> new io.aixcl.core.AixclException.InvalidInput(
                "invalid listen address '" + text + "': " + why));
    }

    public InetSocketAddress socketAddress() {
        try {
            return new InetSocketAddress(inet(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // validated at construction by parse()
        }
    }

    /** Reachable only from this machine. */
    public boolean isLoopback() {
        return socketAddress().getAddress().isLoopbackAddress();
    }

    private static InetAddress inet(String host) throws UnknownHostException {
        return host.equals("localhost") ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
