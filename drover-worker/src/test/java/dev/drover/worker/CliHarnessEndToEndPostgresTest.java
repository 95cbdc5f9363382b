package dev.drover.worker;

import dev.drover.server.testing.Backend;

class CliHarnessEndToEndPostgresTest extends CliHarnessEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
