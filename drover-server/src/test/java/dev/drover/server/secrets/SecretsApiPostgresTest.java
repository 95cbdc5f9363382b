package dev.drover.server.secrets;

import dev.drover.server.testing.Backend;

class SecretsApiPostgresTest extends SecretsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
