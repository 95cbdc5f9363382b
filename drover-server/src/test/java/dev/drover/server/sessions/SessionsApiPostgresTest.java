package dev.drover.server.sessions;

import dev.drover.server.testing.Backend;

class SessionsApiPostgresTest extends SessionsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
