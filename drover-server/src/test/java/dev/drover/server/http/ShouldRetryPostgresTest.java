package dev.drover.server.http;

import dev.drover.server.testing.Backend;

class ShouldRetryPostgresTest extends ShouldRetryTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
