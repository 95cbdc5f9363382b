package dev.drover.worker;

import dev.drover.server.testing.Backend;

class FollowupsEndToEndPostgresTest extends FollowupsEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
