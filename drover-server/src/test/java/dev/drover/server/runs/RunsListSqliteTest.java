package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsListSqliteTest extends RunsListTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
