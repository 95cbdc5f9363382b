package dev.drover.server.store;

import dev.drover.server.testing.Backend;

class SchemaCheckSqliteTest extends SchemaCheckTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
