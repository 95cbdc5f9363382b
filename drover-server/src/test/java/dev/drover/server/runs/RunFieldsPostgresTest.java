package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunFieldsPostgresTest extends RunFieldsTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
