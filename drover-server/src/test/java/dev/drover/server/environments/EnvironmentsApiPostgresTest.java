package dev.drover.server.environments;

import dev.drover.server.testing.Backend;

class EnvironmentsApiPostgresTest extends EnvironmentsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
