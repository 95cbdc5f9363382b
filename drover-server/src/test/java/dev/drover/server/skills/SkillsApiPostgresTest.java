package dev.drover.server.skills;

import dev.drover.server.testing.Backend;

class SkillsApiPostgresTest extends SkillsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }
}
