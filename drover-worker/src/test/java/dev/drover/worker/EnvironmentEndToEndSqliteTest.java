package dev.drover.worker;

import dev.drover.server.testing.Backend;

class EnvironmentEndToEndSqliteTest extends EnvironmentEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
