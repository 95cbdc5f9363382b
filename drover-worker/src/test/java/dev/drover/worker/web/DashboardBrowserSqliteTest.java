package dev.drover.worker.web;

import dev.drover.server.testing.Backend;

class DashboardBrowserSqliteTest extends DashboardBrowserTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
