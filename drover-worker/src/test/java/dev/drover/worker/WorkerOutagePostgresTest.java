package dev.drover.worker;

import dev.drover.server.testing.Backend;

class WorkerOutagePostgresTest extends WorkerOutageTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
