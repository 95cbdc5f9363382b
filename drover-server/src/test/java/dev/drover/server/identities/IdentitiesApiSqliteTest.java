package dev.drover.server.identities;

import dev.drover.server.testing.Backend;

class IdentitiesApiSqliteTest extends IdentitiesApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
