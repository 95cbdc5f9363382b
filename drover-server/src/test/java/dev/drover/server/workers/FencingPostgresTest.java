package dev.drover.server.workers;

import dev.drover.server.testing.Backend;

class FencingPostgresTest extends FencingTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
