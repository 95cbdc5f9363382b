package dev.drover.worker;

import dev.drover.server.testing.Backend;

class IdentityRunEndToEndSqliteTest extends IdentityRunEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
