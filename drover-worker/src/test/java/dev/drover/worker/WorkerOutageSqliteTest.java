package dev.drover.worker;

import dev.drover.server.testing.Backend;

class WorkerOutageSqliteTest extends WorkerOutageTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
