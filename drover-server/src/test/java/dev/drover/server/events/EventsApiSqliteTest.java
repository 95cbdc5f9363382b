package dev.drover.server.events;

import dev.drover.server.testing.Backend;

class EventsApiSqliteTest extends EventsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
