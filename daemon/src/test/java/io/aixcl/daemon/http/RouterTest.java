package io.aixcl.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Route start = ex -> { };
    private final Route status = ex -> { };
    private final Route daemon = ex -> { };
    private final Router router = new Router()
            .post("/v1/services/{name}/start", start)
            .get("/v1/services/{name}/status", status)
            .get("/v1/daemon", daemon);

    @Test
    void pathParametersAreTakenFromTheirSegments() {
        Optional<Router.Match> m = router.match("POST", "/v1/services/postgres/start", new boolean[1]);
        assertThat(m).isPresent();
        assertThat(m.get().route()).isSameAs(start);
        assertThat(m.get().pathParams()).isEqualTo(Map.of("name", "postgres"));
    }

    @Test
    void theMethodChoosesBetweenRoutesOfTheSameShape() {
        assertThat(router.match("GET", "/v1/services/db/status", new boolean[1]).map(Router.Match::route))
                .contains(status);
        assertThat(router.match("GET", "/v1/daemon", new boolean[1]).map(Router.Match::route)).contains(daemon);
        assertThat(router.match("GET", "/v1/daemon", new boolean[1]).orElseThrow().pathParams()).isEmpty();
    }

    @Test
    void aKnownPathWithAnotherMethodMatchesNothingButIsReportedAsKnown() {
        boolean[] known = new boolean[1];
        assertThat(router.match("GET", "/v1/services/db/start", known)).isEmpty();
        assertThat(known[0]).isTrue();
    }

    @Test
    void anUnknownPathIsNotKnown() {
        boolean[] known = new boolean[1];
        assertThat(router.match("GET", "/v1/services/db/explode", known)).isEmpty();
        assertThat(known[0]).isFalse();
    }

    @Test
    void segmentCountsMustAgree() {
        assertThat(router.match("POST", "/v1/services/start", new boolean[1])).isEmpty();
        assertThat(router.match("POST", "/v1/services/a/b/start", new boolean[1])).isEmpty();
        assertThat(router.match("GET", "/v1/daemon/extra", new boolean[1])).isEmpty();
    }

    @Test
    void theRootPathMatchesNoRoute() {
        boolean[] known = new boolean[1];
        assertThat(router.match("GET", "/", known)).isEmpty();
        assertThat(known[0]).isFalse();
    }

    @Test
    void theFirstRegisteredRouteWinsWhenTwoMatch() {
        Route literal = ex -> { };
        Route param = ex -> { };
        Router r = new Router().get("/v1/things/all", literal).get("/v1/things/{id}", param);
        assertThat(r.match("GET", "/v1/things/all", new boolean[1]).map(Router.Match::route)).contains(literal);
        assertThat(r.match("GET", "/v1/things/7", new boolean[1]).orElseThrow().pathParams())
                .isEqualTo(Map.of("id", "7"));
    }
}
