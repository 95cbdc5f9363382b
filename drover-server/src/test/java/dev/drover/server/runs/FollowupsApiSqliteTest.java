package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class FollowupsApiSqliteTest extends FollowupsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
