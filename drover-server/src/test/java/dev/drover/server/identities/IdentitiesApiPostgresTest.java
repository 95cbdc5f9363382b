package dev.drover.server.identities;

import dev.drover.server.testing.Backend;

class IdentitiesApiPostgresTest extends IdentitiesApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
