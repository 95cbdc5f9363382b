package dev.drover.worker;

import dev.drover.server.testing.Backend;

class GitCredentialEndToEndPostgresTest extends GitCredentialEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
