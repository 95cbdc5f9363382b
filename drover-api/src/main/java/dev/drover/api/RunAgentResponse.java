package dev.drover.api;

/** Reply to a run creation; {@code task_id} is the deprecated twin of {@code run_id}. */
public record RunAgentResponse(String runId, String taskId, RunState state, Boolean atCapacity) {}
