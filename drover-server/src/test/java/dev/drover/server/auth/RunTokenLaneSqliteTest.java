package dev.drover.server.auth;

import dev.drover.server.testing.Backend;

class RunTokenLaneSqliteTest extends RunTokenLaneTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
