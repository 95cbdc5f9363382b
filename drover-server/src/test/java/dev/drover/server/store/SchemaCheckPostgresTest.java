package dev.drover.server.store;

import dev.drover.server.testing.Backend;

class SchemaCheckPostgresTest extends SchemaCheckTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
