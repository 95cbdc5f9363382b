package dev.drover.server.http;

import dev.drover.server.testing.Backend;

class PoolExhaustionSqliteTest extends PoolExhaustionTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
