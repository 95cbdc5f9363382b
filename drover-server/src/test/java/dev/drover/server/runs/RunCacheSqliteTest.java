package dev.drover.server.runs;

import dev.drover.server.testing.Backend;

class RunCacheSqliteTest extends RunCacheTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
