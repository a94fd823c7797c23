package io.aixcl.state;

import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The keys repository against a real PostgreSQL server this class starts (see {@link PostgresCluster}). */
class PostgresApiKeysTest extends ApiKeysContract {
    private static PostgresCluster pg;
    private String url;

    @BeforeAll
    static void startServer() throws Exception {
        pg = PostgresCluster.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    StateStore openEmpty() throws Exception {
        url = pg.createDatabase();
        return reopen();
    }

    @Override
    StateStore reopen() {
        return StateStore.open(new StateDatabase.Postgres(url, Optional.of(pg.passwordFile())));
    }
}
