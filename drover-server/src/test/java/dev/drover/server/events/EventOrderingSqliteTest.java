package dev.drover.server.events;

import dev.drover.server.testing.Backend;

class EventOrderingSqliteTest extends EventOrderingTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }

    @Override
    int nodes() {
        return 1;
    }
}
