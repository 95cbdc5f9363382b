package dev.drover.worker;

import dev.drover.server.testing.Backend;

class SecretsEndToEndSqliteTest extends SecretsEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
