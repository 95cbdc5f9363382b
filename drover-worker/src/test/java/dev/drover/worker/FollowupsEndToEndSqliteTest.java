package dev.drover.worker;

import dev.drover.server.testing.Backend;

class FollowupsEndToEndSqliteTest extends FollowupsEndToEndTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
