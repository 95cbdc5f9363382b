package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsListShortSearchSqliteTest extends RunsListShortSearchTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
