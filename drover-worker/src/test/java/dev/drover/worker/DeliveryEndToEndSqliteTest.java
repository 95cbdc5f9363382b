package dev.drover.worker;

import dev.drover.server.testing.Backend;

class DeliveryEndToEndSqliteTest extends DeliveryEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
