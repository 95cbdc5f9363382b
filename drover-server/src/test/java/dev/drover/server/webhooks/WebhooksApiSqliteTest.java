package dev.drover.server.webhooks;

import dev.drover.server.testing.Backend;

class WebhooksApiSqliteTest extends WebhooksApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
