package dev.drover.worker;

import dev.drover.server.testing.Backend;

class GitCredentialEndToEndSqliteTest extends GitCredentialEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
