package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IsolationSettingsTest {
    @Test
    void withNothingConfiguredTheWorkerPicksAutomaticallyWithSafeContainerDefaults() {
        IsolationSettings s = IsolationSettings.fromEnv(Map.of());
        assertThat(s.mode()).isEqualTo("auto");
        assertThat(s.network()).isEqualTo("none");
        assertThat(s.defaultImage()).isEqualTo(IsolationSettings.DEFAULT_IMAGE);
        assertThat(s.agentUid()).isEqualTo(IsolationSettings.DEFAULT_AGENT_ID).isPositive();
        assertThat(s.pids()).isEqualTo(512);
        assertThat(s.memoryBytes()).isEqualTo(4096L * 1024 * 1024);
    }

    @Test
    void theEnvironmentSetsTheBackendImageNetworkAndLimits() {
        IsolationSettings s = IsolationSettings.fromEnv(Map.of("DROVER_ISOLATION", "Container", "DROVER_DEFAULT_IMAGE",
                "alpine:3", "DROVER_CONTAINER_NETWORK", "bridge", "DROVER_CONTAINER_MEMORY_MB", "512",
                "DROVER_CONTAINER_PIDS", "64", "DROVER_CONTAINER_CPUS", "0.5", "DOCKER_HOST", "tcp://engine:2375"));
        assertThat(s).isEqualTo(new IsolationSettings("container", "alpine:3", IsolationSettings.DEFAULT_AGENT_ID,
                IsolationSettings.DEFAULT_AGENT_ID, "bridge", 512L * 1024 * 1024, 64, 0.5, "tcp://engine:2375"));
    }

    @Test
    void aFlagWinsOverTheEnvironment() {
        IsolationSettings s = IsolationSettings.fromEnv(Map.of("DROVER_ISOLATION", "container")).withMode("none")
                .withDefaultImage("busybox");
        assertThat(s.mode()).isEqualTo("none");
        assertThat(s.defaultImage()).isEqualTo("busybox");
    }

    @Test
    void anUnknownBackendNetworkOrARootAgentIsRefused() {
        assertThatThrownBy(() -> IsolationSettings.of("docker")).hasMessageContaining("container, bubblewrap, none");
        assertThatThrownBy(() -> IsolationSettings.fromEnv(Map.of("DROVER_CONTAINER_NETWORK", "host")))
                .hasMessageContaining("none or bridge");
        assertThatThrownBy(() -> IsolationSettings.fromEnv(Map.of("DROVER_AGENT_UID", "0")))
                .hasMessageContaining("above 0");
    }
}
