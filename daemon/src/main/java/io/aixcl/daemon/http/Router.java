package io.aixcl.daemon.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Method + path template ({@code /v1/services/{name}/stop}) to route. The API is small; so is this. Each route
 * says whether it changes state: those (every POST but the few that only compute) are audited by the
 * dispatcher before they are acknowledged, under an action named for the route ({@code services.stop}).
 */
public final class Router {
    private record Entry(String method, String[] segments, Route route, boolean audited, String action) {}

    public record Match(Route route, Map<String, String> pathParams, boolean audited, String action) {}

    private final List<Entry> entries = new ArrayList<>();

    public Router get(String template, Route route) {
        return add("GET", template, route, false);
    }

    /** A read that must still be on record, such as revealing a secret. */
    public Router getAudited(String template, Route route) {
        return add("GET", template, route, true);
    }

    public Router post(String template, Route route) {
        return add("POST", template, route, true);
    }

    /** A POST that only computes (a plan, an export): it changes nothing, so it is not audited. */
    public Router postRead(String template, Route route) {
        return add("POST", template, route, false);
    }

    private Router add(String method, String template, Route route, boolean audited) {
        String[] segments = template.substring(1).split("/");
        entries.add(new Entry(method, segments, route, audited, action(segments)));
        return this;
    }

    /** {@code /v1/services/{name}/stop} is {@code services.stop}: the fixed segments after the version. */
    static String action(String[] segments) {
        List<String> words = new ArrayList<>();
        for (int i = 1; i < segments.length; i++) {
            if (!segments[i].startsWith("{")) {
                words.add(segments[i]);
            }
        }
        return String.join(".", words);
    }

    /** The matching route; empty when no route has this path, or a known path has another method (405). */
    public Optional<Match> match(String method, String path, boolean[] pathKnown) {
        String[] parts = path.length() > 1 ? path.substring(1).split("/") : new String[] {""};
        for (Entry e : entries) {
            Map<String, String> params = matchPath(e.segments, parts);
            if (params == null) {
                continue;
            }
            pathKnown[0] = true;
            if (e.method.equals(method)) {
                return Optional.of(new Match(e.route, params, e.audited, e.action));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> matchPath(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                params.put(t.substring(1, t.length() - 1), parts[i]);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }
}
