package dev.drover.server.events;

import dev.drover.server.testing.Backend;

class EventsApiPostgresTest extends EventsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
