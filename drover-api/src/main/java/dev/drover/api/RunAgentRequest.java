package dev.drover.api;

import java.util.List;
import java.util.Map;

/** Body of {@code POST /agent/runs}: either {@code prompt} or a skill is required. */
public record RunAgentRequest(
        String prompt,
        String skill,
        AmbientAgentConfig config,
        String title,
        Boolean team,
        String agentIdentityUid,
        String conversationId,
        List<AttachmentInput> attachments,
        String parentRunId,
        Boolean interactive,
        Map<String, String> metadata,
        String mode) {

    /** Without {@code mode} (the newer SDK's normal | plan | orchestrate; absent is normal). */
    public RunAgentRequest(String prompt, String skill, AmbientAgentConfig config, String title, Boolean team,
            String agentIdentityUid, String conversationId, List<AttachmentInput> attachments, String parentRunId,
            Boolean interactive, Map<String, String> metadata) {
        this(prompt, skill, config, title, team, agentIdentityUid, conversationId, attachments, parentRunId,
                interactive, metadata, null);
    }

    public static RunAgentRequest ofPrompt(String prompt) {
        return new RunAgentRequest(prompt, null, null, null, null, null, null, null, null, null, null);
    }
}
