package dev.drover.server.auth;

import dev.drover.server.testing.Backend;

class TenancySqliteTest extends TenancyTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
