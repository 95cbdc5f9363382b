package dev.drover.server.integrations;

import dev.drover.server.testing.Backend;

class ForgeCommentsPostgresTest extends ForgeCommentsTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
