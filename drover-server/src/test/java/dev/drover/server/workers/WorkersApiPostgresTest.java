package dev.drover.server.workers;

import dev.drover.server.testing.Backend;

class WorkersApiPostgresTest extends WorkersApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    @Override
    int nodes() {
        return 2;
    }
}
