package dev.drover.server.runs;

import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;

/** A run as stored, before it is shaped for the wire. Timestamps are epoch microseconds. */
record RunRow(
        String id,
        String ownerType,
        String ownerId,
        String creatorId,
        String creatorKind,
        String creatorName,
        String creatorEmail,
        String title,
        String prompt,
        RunState state,
        RunSourceType source,
        RunExecutionLocation executionLocation,
        String configJson,
        String skillSpec,
        String skillName,
        String agentSkillJson,
        String scheduleJson,
        String conversationId,
        String parentRunId,
        String sessionId,
        boolean interactive,
        String metadataJson,
        String statusMessageJson,
        String requestUsageJson,
        boolean sandboxRunning,
        boolean cancelRequested,
        long createdAt,
        long updatedAt,
        Long startedAt,
        long createdSeq,
        long updatedSeq,
        int depth,
        String pool,
        String workerId,
        Long leaseExpiresAt,
        int attempts,
        boolean hasArtifacts,
        String environmentId,
        int turn, String agentIdentityId,
        /** V23: bumped by the database on every update of the row (what the run cache compares). */
        long rowVersion) {}
