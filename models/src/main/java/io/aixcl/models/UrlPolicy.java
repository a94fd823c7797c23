package io.aixcl.models;

import io.aixcl.core.AixclException;
import java.net.URI;
import java.util.Locale;

/**
 * Which URLs a pull may contact. https always; plain http only to a loopback host (tests, a local mirror) or when
 * the user allowed it explicitly. Redirects never go from https to http, and one to another host is followed only
 * to https (registries send blobs to CDNs) or to loopback. Hosts are judged by their literal name, never by
 * resolving them, so DNS cannot turn a public name into a loopback exception.
 */
final class UrlPolicy {
    private UrlPolicy() {}

    /** Checks a URL the user or a configuration gave; a refusal is the user's to fix. */
    static void check(URI uri, boolean allowInsecureHttp) {
        String problem = problem(uri, allowInsecureHttp);
        if (problem != null) {
            throw new AixclException.InvalidInput(problem);
        }
    }

    /** Checks a redirect a server asked for; a refusal is the server's doing. */
    static void checkRedirect(URI from, URI to, boolean allowInsecureHttp) {
        String problem = problem(to, allowInsecureHttp);
        if (problem == null && scheme(from).equals("https") && scheme(to).equals("http")) {
            problem = "it would downgrade https to plain http";
        }
        if (problem == null && scheme(to).equals("http") && !sameHost(from, to) && !isLoopback(to.getHost())) {
            problem = "a redirect to another host must use https";
        }
        if (problem != null) {
            throw new AixclException.Failed("refused redirect from " + redact(from) + " to " + redact(to) + ": " + problem, null);
        }
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** A URL for messages: no query string (signed CDN URLs carry credentials there). */
    static String redact(URI uri) {
        if (uri == null) {
            return "null";
        }
        String s = uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }

    private static String problem(URI uri, boolean allowInsecureHttp) {
        if (uri == null || !uri.isAbsolute()) {
            return "URL " + uri + " is not absolute";
        }
        String scheme = scheme(uri);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "URL scheme '" + scheme + "' is not allowed (https only)";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "URL " + redact(uri) + " has no host";
        }
        if (uri.getRawUserInfo() != null) {
            return "URL with credentials refused (host " + uri.getHost() + ")";
        }
        if (scheme.equals("http") && !allowInsecureHttp && !isLoopback(uri.getHost())) {
            return "plain http to " + uri.getHost() + " refused: use https (or allow insecure http explicitly)";
        }
        return null;
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost());
    }

    private static String scheme(URI uri) {
        return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    }
}
