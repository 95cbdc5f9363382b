package dev.drover.server.workers;

import dev.drover.server.testing.Backend;

class WorkersApiSqliteTest extends WorkersApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }

    @Override
    int nodes() {
        return 1;
    }
}
