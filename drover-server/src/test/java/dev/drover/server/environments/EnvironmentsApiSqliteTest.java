package dev.drover.server.environments;

import dev.drover.server.testing.Backend;

class EnvironmentsApiSqliteTest extends EnvironmentsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
