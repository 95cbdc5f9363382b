package dev.drover.server.badinput;

import dev.drover.server.testing.Backend;

class BadInputSqliteTest extends BadInputTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
