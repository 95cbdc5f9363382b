package dev.drover.server.events;

import dev.drover.server.testing.Backend;

class EventTailSqliteTest extends EventTailTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
