package dev.drover.api;

import java.util.List;

/**
 * An agent identity's {@code memory} as the newer SDK shapes it ({@code attached_stores}, {@code auto_memory}). Drover
 * keeps no memory across runs: always no stores and auto-memory off.
 */
public record AgentMemory(List<Object> attachedStores, AutoMemory autoMemory) {
    public record AutoMemory(boolean enabled) {}

    public static AgentMemory none() {
        return new AgentMemory(List.of(), new AutoMemory(false));
    }
}
