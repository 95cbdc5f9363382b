package dev.drover.server.auth;

import dev.drover.server.testing.Backend;

class TenancyPostgresTest extends TenancyTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
