package dev.drover.worker.web;

import dev.drover.server.testing.Backend;

class DashboardBrowserPostgresTest extends DashboardBrowserTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
