package dev.drover.server.eventlog;

import dev.drover.server.testing.Backend;

class EventTailSqliteTest extends EventTailTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
