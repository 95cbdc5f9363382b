package dev.drover.server.http;

import dev.drover.server.testing.Backend;

class PoolExhaustionPostgresTest extends PoolExhaustionTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
