package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsListPostgresTest extends RunsListTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
