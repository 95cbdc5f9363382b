package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunsListShortSearchPostgresTest extends RunsListShortSearchTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
