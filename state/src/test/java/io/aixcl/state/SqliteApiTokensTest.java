package io.aixcl.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteApiTokensTest extends ApiTokensContract {
    @TempDir Path dir;

    private Path file() {
        return dir.resolve("data/state.db");
    }

    @Override
    StateStore openEmpty() {
        return StateStore.open(new StateDatabase.Sqlite(file()));
    }

    @Override
    StateStore reopen() {
        return openEmpty();
    }

    @Test
    void theDatabaseFileIsOwnerOnlyAndInWalMode() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
        try (Connection c = new StateDatabase.Sqlite(file()).dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
            r.next();
            assertThat(r.getString(1)).isEqualToIgnoringCase("wal");
        }
    }
}
