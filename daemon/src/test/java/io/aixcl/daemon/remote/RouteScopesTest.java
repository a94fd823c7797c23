package io.aixcl.daemon.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Keys;
import io.aixcl.api.Tokens;
import io.aixcl.state.TokenScope;
import org.junit.jupiter.api.Test;

class RouteScopesTest {

    @Test
    void readingNeedsOnlyRead() {
        assertThat(RouteScopes.required("GET", ApiPaths.STACK_STATUS)).isEqualTo(TokenScope.READ);
        assertThat(RouteScopes.required("GET", ApiPaths.SERVICES + "/postgres/logs")).isEqualTo(TokenScope.READ);
        assertThat(RouteScopes.required("POST", ApiPaths.STACK_PLAN)).isEqualTo(TokenScope.READ);
        assertThat(RouteScopes.required("POST", ApiPaths.STACK_EXPORT)).isEqualTo(TokenScope.READ);
    }

    @Test
    void startingStoppingAndRestartingNeedOperate() {
        for (String p : new String[] {ApiPaths.STACK_START, ApiPaths.STACK_STOP, ApiPaths.STACK_RESTART,
                ApiPaths.SERVICES + "/postgres/start", ApiPaths.SERVICES + "/postgres/stop",
                ApiPaths.SERVICES + "/postgres/restart"}) {
            assertThat(RouteScopes.required("POST", p)).as(p).isEqualTo(TokenScope.OPERATE);
        }
    }

    @Test
    void tokensSecretsAndStoppingTheDaemonNeedAdminEvenToRead() {
        assertThat(RouteScopes.required("GET", Tokens.PATH)).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("GET", Tokens.CA)).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("POST", Tokens.revokePath("ci"))).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("GET", Keys.PATH)).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("GET", Keys.USAGE)).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("POST", Keys.PATH)).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("POST", Keys.revokePath("app"))).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("GET", "/v1/secrets/postgres-password")).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("POST", ApiPaths.DAEMON_STOP)).isEqualTo(TokenScope.ADMIN);
    }

    @Test
    void anUnlistedStateChangingRouteNeedsAdmin() {
        assertThat(RouteScopes.required("POST", ApiPaths.STACK_DOWN)).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("POST", "/v1/models/pull")).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("DELETE", "/v1/models/x")).isEqualTo(TokenScope.ADMIN);
        assertThat(RouteScopes.required("POST", ApiPaths.SERVICES + "/a/b/start")).isEqualTo(TokenScope.ADMIN);
    }

    @Test
    void eachScopeCoversTheNarrowerOnes() {
        assertThat(TokenScope.ADMIN.covers(TokenScope.OPERATE)).isTrue();
        assertThat(TokenScope.OPERATE.covers(TokenScope.READ)).isTrue();
        assertThat(TokenScope.READ.covers(TokenScope.OPERATE)).isFalse();
        assertThat(TokenScope.OPERATE.covers(TokenScope.ADMIN)).isFalse();
    }
}
