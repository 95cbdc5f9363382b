package dev.drover.server.http;

import dev.drover.server.testing.Backend;

class ShouldRetrySqliteTest extends ShouldRetryTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
