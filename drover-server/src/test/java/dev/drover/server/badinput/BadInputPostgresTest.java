package dev.drover.server.badinput;

import dev.drover.server.testing.Backend;

class BadInputPostgresTest extends BadInputTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
