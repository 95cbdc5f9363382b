package dev.drover.server.workers;

import dev.drover.server.testing.Backend;

class FencingSqliteTest extends FencingTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
