package dev.drover.server.sessions;

import dev.drover.server.testing.Backend;

class RedirectChecksPostgresTest extends RedirectChecksTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
