package dev.drover.server.events;

import dev.drover.server.testing.Backend;

class EventOrderingPostgresTest extends EventOrderingTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    @Override
    int nodes() {
        return 2;
    }
}
