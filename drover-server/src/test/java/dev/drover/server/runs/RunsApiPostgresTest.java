package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsApiPostgresTest extends RunsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
