package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsListWindowPostgresTest extends RunsListWindowTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
