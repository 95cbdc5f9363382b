package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunFieldsSqliteTest extends RunFieldsTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
