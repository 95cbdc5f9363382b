package dev.drover.worker;

import dev.drover.server.testing.Backend;

class EnvironmentEndToEndPostgresTest extends EnvironmentEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
