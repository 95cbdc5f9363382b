package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsApiSqliteTest extends RunsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
