package io.aixcl.daemon.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Method + path template ({@code /v1/services/{name}/stop}) to route. The API is small; so is this. */
public final class Router {
    private record Entry(String method, String[] segments, Route route) {}

    public record Match(Route route, Map<String, String> pathParams) {}

    private final List<Entry> entries = new ArrayList<>();

    public Router get(String template, Route route) {
        return add("GET", template, route);
    }

    public Router post(String template, Route route) {
        return add("POST", template, route);
    }

    private Router add(String method, String template, Route route) {
        entries.add(new Entry(method, template.substring(1).split("/"), route));
        return this;
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
                return Optional.of(new Match(e.route, params));
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
