package dev.drover.server.conformance;

import dev.drover.server.testing.Backend;

class OzSdkConformancePostgresTest extends OzSdkConformanceTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
