package dev.drover.api;

/** The schedule that created a run, captured when the run was created. */
public record ScheduleInfo(String scheduleId, String scheduleName, String cronSchedule) {}
