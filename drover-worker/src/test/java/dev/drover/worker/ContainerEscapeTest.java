package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

/** The escapes on the container backend, in the test image; required where DROVER_REQUIRE_CONTAINER=1 (CI). */
class ContainerEscapeTest extends IsolationEscapeTest {
    @Override
    String backend() {
        return "container";
    }

    @Override
    IsolationSettings settings() throws Exception {
        var docker = TestImage.client();
        if (docker == null) {
            assertThat("1".equals(System.getenv("DROVER_REQUIRE_CONTAINER")))
                    .as("DROVER_REQUIRE_CONTAINER=1 but no container engine answers (DOCKER_HOST)").isFalse();
            return null;
        }
        try (docker) {
            TestImage.build(docker);
        }
        return IsolationSettings.of("container").withDefaultImage(TestImage.TAG);
    }
}
