package dev.drover.worker;

import dev.drover.server.testing.Backend;

class OzCancelEndToEndPostgresTest extends OzCancelEndToEndTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
