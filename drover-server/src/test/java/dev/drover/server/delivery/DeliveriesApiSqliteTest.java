package dev.drover.server.delivery;

import dev.drover.server.testing.Backend;

class DeliveriesApiSqliteTest extends DeliveriesApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
