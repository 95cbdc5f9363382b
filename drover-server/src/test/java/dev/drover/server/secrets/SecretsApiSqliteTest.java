package dev.drover.server.secrets;

import dev.drover.server.testing.Backend;

class SecretsApiSqliteTest extends SecretsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
