package dev.drover.server.skills;

import dev.drover.server.testing.Backend;

class SkillsApiSqliteTest extends SkillsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
