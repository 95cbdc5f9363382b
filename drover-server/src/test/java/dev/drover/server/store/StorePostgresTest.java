package dev.drover.server.store;

import dev.drover.server.testing.Backend;

class StorePostgresTest extends StoreTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
