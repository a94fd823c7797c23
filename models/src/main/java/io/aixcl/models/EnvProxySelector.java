package io.aixcl.models;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Proxies from the environment the way curl reads them: {@code HTTPS_PROXY} for https URLs, {@code HTTP_PROXY}
 * for http, {@code NO_PROXY} (comma-separated hosts, domain suffixes, {@code host:port}, or {@code *}) to bypass;
 * lower-case names win over upper-case ones. Loopback is never proxied (a proxy cannot reach our loopback).
 * Only http proxies without credentials are supported: https goes through them in a CONNECT tunnel. {@link SafeHttp}
 * gives this selector to HttpClient, whose route planner asks it for each target.
 */
final class EnvProxySelector extends ProxySelector {
    private final Optional<InetSocketAddress> https;
    private final Optional<InetSocketAddress> http;
    private final List<String> noProxy;
    private final String problem;

    EnvProxySelector(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        this.https = proxy(env, "https_proxy", problems);
        this.http = proxy(env, "http_proxy", problems);
        this.noProxy = noProxy(first(env, "no_proxy"));
        this.problem = problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** Why a proxy variable could not be used, or empty: pulls report it rather than silently going direct. */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    boolean bypasses(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (UrlPolicy.isLoopback(host)) {
            return true;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return true;
            }
            String h = entry;
            int colon = entry.lastIndexOf(':');
            if (colon > 0 && !entry.contains("]") && entry.indexOf(':') == colon) {
                h = entry.substring(0, colon);
                if (!entry.substring(colon + 1).equals(String.valueOf(port))) {
                    continue;
                }
            }
            if (h.startsWith("*.")) {
                h = h.substring(1);
            }
            if (h.startsWith(".")) {
                h = h.substring(1);
            }
            if (host.equals(h) || host.endsWith("." + h)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("uri is null");
        }
        if (!bypasses(uri)) {
            Optional<InetSocketAddress> proxy = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
            if (proxy.isPresent()) {
                return List.of(new Proxy(Proxy.Type.HTTP, proxy.get()));
            }
        }
        return List.of(Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // the request fails and is retried by the puller; nothing to remember
    }

    private static Optional<InetSocketAddress> proxy(Map<String, String> env, String name, List<String> problems) {
        String value = first(env, name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        if (!v.contains("://")) {
            v = "http://" + v;
        }
        try {
            URI u = URI.create(v);
            if (!"http".equalsIgnoreCase(u.getScheme())) {
                problems.add(name.toUpperCase(Locale.ROOT) + ": only http:// proxies are supported");
                return Optional.empty();
            }
            if (u.getRawUserInfo() != null) {
                problems.add(name.toUpperCase(Locale.ROOT) + ": proxy credentials are not supported");
                return Optional.empty();
            }
            if (u.getHost() == null) {
                problems.add(name.toUpperCase(Locale.ROOT) + ": no host in the proxy URL");
                return Optional.empty();
            }
            return Optional.of(InetSocketAddress.createUnresolved(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()));
        } catch (IllegalArgumentException e) {
            problems.add(name.toUpperCase(Locale.ROOT) + ": not a URL");
            return Optional.empty();
        }
    }

    private static String first(Map<String, String> env, String lowerName) {
        String v = env.get(lowerName);
        return v != null ? v : env.get(lowerName.toUpperCase(Locale.ROOT));
    }

    private static List<String> noProxy(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String e : value.split(",")) {
            String t = e.strip().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
