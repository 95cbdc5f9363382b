package dev.drover.server.web;

import dev.drover.server.testing.Backend;

class WebSessionsSqliteTest extends WebSessionsTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
