package dev.drover.server.sessions;

import dev.drover.server.testing.Backend;

class RedirectChecksSqliteTest extends RedirectChecksTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
