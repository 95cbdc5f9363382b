package dev.drover.server.integrations;

import dev.drover.server.testing.Backend;

class ForgeCommentsSqliteTest extends ForgeCommentsTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
