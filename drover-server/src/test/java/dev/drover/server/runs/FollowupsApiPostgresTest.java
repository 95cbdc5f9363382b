package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class FollowupsApiPostgresTest extends FollowupsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
