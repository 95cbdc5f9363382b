package dev.drover.server.conformance;

import dev.drover.server.testing.Backend;

class OzSdkConformanceSqliteTest extends OzSdkConformanceTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
