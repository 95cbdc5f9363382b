package dev.drover.server.schedules;

import dev.drover.server.testing.Backend;

class SchedulesApiSqliteTest extends SchedulesApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
