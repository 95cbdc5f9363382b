package dev.drover.server.messages;

import dev.drover.server.testing.Backend;

class MessagesApiSqliteTest extends MessagesApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
