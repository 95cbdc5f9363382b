package dev.drover.server.delivery;

import dev.drover.server.testing.Backend;

class DeliveriesApiPostgresTest extends DeliveriesApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
