package dev.drover.worker;

import dev.drover.server.testing.Backend;

class SecretsEndToEndPostgresTest extends SecretsEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
