package dev.drover.worker;

import dev.drover.server.testing.Backend;

class OzCancelEndToEndSqliteTest extends OzCancelEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
