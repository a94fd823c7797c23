package io.aixcl.state;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteApiKeysTest extends ApiKeysContract {
    @TempDir Path dir;

    @Override
    StateStore openEmpty() {
        return StateStore.open(new StateDatabase.Sqlite(dir.resolve("data/state.db")));
    }

    @Override
    StateStore reopen() {
        return openEmpty();
    }
}
