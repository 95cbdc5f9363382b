package dev.drover.worker;

import dev.drover.server.testing.Backend;

class DeliveryEndToEndPostgresTest extends DeliveryEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
