package dev.drover.server.web;

import dev.drover.server.testing.Backend;

class WebSessionsPostgresTest extends WebSessionsTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
