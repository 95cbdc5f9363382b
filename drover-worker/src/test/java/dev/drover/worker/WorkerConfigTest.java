package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void theConfigurationNeverShowsTheWorkerKeyOrProviderCredentials() {
        String text = new WorkerConfig("http://s/api/v1", "drv_workerSecret", "w", "default", 1, Path.of("/w"),
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                Map.of("OPENAI_API_KEY", "sk-provider-secret"), null).toString();
        assertThat(text).doesNotContain("drv_workerSecret").doesNotContain("sk-provider-secret").contains("OPENAI_API_KEY");
    }

    @Test
    void theGitTokenComesFromTheWorkersEnvironmentAndIsNeverShown() {
        WorkerConfig config = new WorkerConfig("http://s/api/v1", "drv_k", "w", "default", 1, Path.of("/w"),
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                Map.of("DROVER_GIT_TOKEN", "ghp_gitSecret"), null);
        assertThat(config.gitToken()).isEqualTo("ghp_gitSecret");
        assertThat(config.toString()).doesNotContain("ghp_gitSecret").contains("gitToken=***");
    }
}
