package dev.drover.worker;

import dev.drover.server.testing.Backend;

class CliHarnessEndToEndSqliteTest extends CliHarnessEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
