package dev.drover.server.store;

import dev.drover.server.testing.Backend;

class StoreSqliteTest extends StoreTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
