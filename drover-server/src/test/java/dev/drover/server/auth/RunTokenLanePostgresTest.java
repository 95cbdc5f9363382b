package dev.drover.server.auth;

import dev.drover.server.testing.Backend;

class RunTokenLanePostgresTest extends RunTokenLaneTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
