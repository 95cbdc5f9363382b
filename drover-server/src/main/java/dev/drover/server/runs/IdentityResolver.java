package dev.drover.server.runs;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.McpServerConfig;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a run's {@code agent_identity_uid} into the identity it acts as (the identities feature does it). Refusals
 * are {@code ApiException}s naming {@code field}: an identity outside the caller's teams is the same 404 as an
 * unknown one.
 */
public interface IdentityResolver {
    AsIdentity resolve(Principal caller, String uid, String field);

    /**
     * An identity a run acts as: {@code principal} is its creator, {@code teamId} its owner, {@code config} the
     * configuration merged under the run's own, {@code skills} specs whose instructions the run's agent gets.
     */
    record AsIdentity(Principal principal, String teamId, AmbientAgentConfig config, List<String> skills) {
        public String uid() {
            return principal.id();
        }
    }

    /** For servers without identities (and tests of other features): every uid is unknown. */
    IdentityResolver NONE = (caller, uid, field) -> {
        throw ApiException.notFound(field, "agent identity");
    };

    /**
     * The identity's configuration under the request's: the request wins field by field (a field it sets replaces
     * the identity's, a field it leaves out is the identity's). {@code harness} is one field (its type and command
     * belong together); {@code mcp_servers} are merged by server name, the request's server winning a name both
     * use.
     */
    static AmbientAgentConfig merge(AmbientAgentConfig identity, AmbientAgentConfig request) {
        if (request == null) {
            return identity;
        }
        Map<String, McpServerConfig> mcp = null;
        if (identity.mcpServers() != null || request.mcpServers() != null) {
            mcp = new LinkedHashMap<>();
            if (identity.mcpServers() != null) {
                mcp.putAll(identity.mcpServers());
            }
            if (request.mcpServers() != null) {
                mcp.putAll(request.mcpServers());
            }
        }
        return new AmbientAgentConfig(
                or(request.name(), identity.name()),
                or(request.modelId(), identity.modelId()),
                or(request.basePrompt(), identity.basePrompt()),
                or(request.environmentId(), identity.environmentId()),
                or(request.skillSpec(), identity.skillSpec()),
                mcp,
                or(request.computerUseEnabled(), identity.computerUseEnabled()),
                or(request.idleTimeoutMinutes(), identity.idleTimeoutMinutes()),
                or(request.workerHost(), identity.workerHost()),
                or(request.harness(), identity.harness()),
                or(request.harnessAuthSecrets(), identity.harnessAuthSecrets()),
                or(request.budgetUsd(), identity.budgetUsd()));
    }

    private static <T> T or(T first, T second) {
        return first != null ? first : second;
    }
}
