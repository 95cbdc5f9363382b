package dev.drover.worker;

import dev.drover.server.testing.Backend;

class WorkerEndToEndSqliteTest extends WorkerEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
