package io.aixcl.daemon.remote;

import io.aixcl.state.TokenScope;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The scope each API route needs over TCP: the one table of it. Read is the GET routes; operate adds starting,
 * stopping and restarting; admin is everything else. A route not listed here needs admin, so a new state-changing
 * route is closed to narrower tokens until someone decides otherwise. (The Unix socket's owner may do everything.)
 */
public final class RouteScopes {
    private record Rule(String method, Pattern path, TokenScope scope) {}

    private static final List<Rule> RULES = List.of(
            // Tokens, inference keys and secrets: even reading them is admin.
            rule("*", "/v1/tokens(/.*)?", TokenScope.ADMIN),
            rule("*", "/v1/keys(/.*)?", TokenScope.ADMIN),
            rule("*", "/v1/secrets(/.*)?", TokenScope.ADMIN),
            rule("POST", "/v1/stack/(start|stop|restart)", TokenScope.OPERATE),
            rule("POST", "/v1/services/[^/]+/(start|stop|restart)", TokenScope.OPERATE),
            // POST because they take a body, but they change nothing.
            rule("POST", "/v1/stack/(plan|export)", TokenScope.READ),
            rule("GET", "/.*", TokenScope.READ));

    private RouteScopes() {}

    public static TokenScope required(String method, String path) {
        for (Rule r : RULES) {
            if ((r.method.equals("*") || r.method.equals(method)) && r.path.matcher(path).matches()) {
                return r.scope;
            }
        }
        return TokenScope.ADMIN; // stack down, daemon stop, and whatever comes next
    }

    private static Rule rule(String method, String regex, TokenScope scope) {
        return new Rule(method, Pattern.compile(regex), scope);
    }
}
