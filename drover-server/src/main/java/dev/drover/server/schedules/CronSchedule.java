package dev.drover.server.schedules;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.drover.server.http.ApiException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** A schedule's cron expression: five fields (minute hour day-of-month month day-of-week), read in UTC. */
final class CronSchedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final ExecutionTime times;

    private CronSchedule(ExecutionTime times) {
        this.times = times;
    }

    /** Parses {@code expression}, refusing it as a 400 on {@code field} when it is not one or never fires. */
    static CronSchedule parse(String field, String expression) {
        if (expression == null || expression.isBlank()) {
            throw ApiException.badRequest(field, "is required, e.g. \"0 9 * * *\" for 09:00 UTC every day");
        }
        if (expression.length() > 256) {
            throw ApiException.badRequest(field, "must be at most 256 characters");
        }
        Cron cron;
        try {
            cron = PARSER.parse(expression.trim()).validate();
        } catch (RuntimeException e) {
            // cron-utils says IllegalArgumentException, but odd input has raised others: every one is a bad field
            throw ApiException.badRequest(field, "is not a cron expression of five fields (minute hour day-of-month "
                    + "month day-of-week, UTC): " + e.getMessage());
        }
        CronSchedule schedule = new CronSchedule(ExecutionTime.forCron(cron));
        if (schedule.nextAfter(Instant.EPOCH) == null) {
            throw ApiException.badRequest(field, "never fires");
        }
        return schedule;
    }

    /** The first tick strictly after {@code t}, or null if there is none. */
    Instant nextAfter(Instant t) {
        return times.nextExecution(ZonedDateTime.ofInstant(t, ZoneOffset.UTC)).map(ZonedDateTime::toInstant)
                .orElse(null);
    }
}
