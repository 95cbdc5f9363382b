package dev.drover.worker;

import dev.drover.server.testing.Backend;

class IdentityRunEndToEndPostgresTest extends IdentityRunEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
