package dev.drover.server.webhooks;

import dev.drover.server.testing.Backend;

class WebhooksApiPostgresTest extends WebhooksApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
