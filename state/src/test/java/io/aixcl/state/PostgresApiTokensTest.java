package io.aixcl.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The repository tests against a real PostgreSQL server this class starts (see {@link PostgresCluster}). */
class PostgresApiTokensTest extends ApiTokensContract {
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

    @Test
    void thePasswordComesFromItsFileAndNeverShowsInTheDescription() {
        StateDatabase db = new StateDatabase.Postgres(url, Optional.of(pg.passwordFile()));

        assertThat(db.describe()).doesNotContain(pg.password()).contains("127.0.0.1");
    }

    @Test
    void aUrlCarryingAPasswordIsRefused() {
        assertThatThrownBy(() -> new StateDatabase.Postgres(url + "&password=hunter2", Optional.empty()))
                .isInstanceOf(AixclException.InvalidInput.class)
                .hasMessageContaining("must not carry a password")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aWrongPasswordFailsWithTheDatabaseNamedButNoPassword() throws Exception {
        Path wrong = java.nio.file.Files.createTempFile("pw", "");
        java.nio.file.Files.writeString(wrong, "not-the-password");
        try {
            assertThatThrownBy(() -> StateStore.open(new StateDatabase.Postgres(url, Optional.of(wrong))))
                    .isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("PostgreSQL jdbc:postgresql://127.0.0.1")
                    .hasMessageNotContaining("not-the-password");
        } finally {
            java.nio.file.Files.deleteIfExists(wrong);
        }
    }
}
