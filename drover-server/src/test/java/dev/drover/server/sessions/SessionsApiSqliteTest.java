package dev.drover.server.sessions;

import dev.drover.server.testing.Backend;

class SessionsApiSqliteTest extends SessionsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
