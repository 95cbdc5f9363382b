package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsListWindowSqliteTest extends RunsListWindowTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
