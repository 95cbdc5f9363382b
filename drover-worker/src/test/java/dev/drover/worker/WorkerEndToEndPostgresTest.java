package dev.drover.worker;

import dev.drover.server.testing.Backend;

class WorkerEndToEndPostgresTest extends WorkerEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
