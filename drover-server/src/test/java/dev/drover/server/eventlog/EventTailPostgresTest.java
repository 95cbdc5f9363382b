package dev.drover.server.eventlog;

import dev.drover.server.testing.Backend;

class EventTailPostgresTest extends EventTailTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
