package dev.drover.server.messages;

import dev.drover.server.testing.Backend;

class MessagesApiPostgresTest extends MessagesApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
