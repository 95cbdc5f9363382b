package dev.drover.server.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.server.http.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A schedule's cron expression on its own: five UTC fields, the next tick strictly after a time, and refusals. */
class CronScheduleTest {

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    /** The first {@code n} ticks after {@code from}. */
    private static List<Instant> ticks(String expression, String from, int n) {
        CronSchedule cron = CronSchedule.parse("cron_schedule", expression);
        List<Instant> out = new ArrayList<>();
        Instant t = at(from);
        for (int i = 0; i < n; i++) {
            t = cron.nextAfter(t);
            out.add(t);
        }
        return out;
    }

    private static void refused(String expression, String detailStart) {
        assertThatThrownBy(() -> CronSchedule.parse("cron_schedule", expression))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.detail()).startsWith(detailStart);
                });
    }

    @Test
    void theNextTickIsStrictlyAfterTheGivenTimeEvenOnATick() {
        CronSchedule hourly = CronSchedule.parse("cron_schedule", "0 * * * *");
        assertThat(hourly.nextAfter(at("2030-01-07T09:00:00Z"))).isEqualTo(at("2030-01-07T10:00:00Z"));
        assertThat(hourly.nextAfter(at("2030-01-07T08:59:59.999Z"))).isEqualTo(at("2030-01-07T09:00:00Z"));
    }

    @Test
    void expressionsAreReadInUtcSoDaylightSavingChangesMoveNothing() {
        // Europe and the USA change their clocks on these nights; a UTC schedule keeps 24 hours between ticks
        assertThat(ticks("30 2 * * *", "2030-03-30T12:00:00Z", 3)).containsExactly(
                at("2030-03-31T02:30:00Z"), at("2030-04-01T02:30:00Z"), at("2030-04-02T02:30:00Z"));
        assertThat(ticks("30 2 * * *", "2030-10-26T12:00:00Z", 2)).containsExactly(
                at("2030-10-27T02:30:00Z"), at("2030-10-28T02:30:00Z"));
        assertThat(ticks("0 7 * * *", "2030-03-09T12:00:00Z", 2)).containsExactly(
                at("2030-03-10T07:00:00Z"), at("2030-03-11T07:00:00Z"));
    }

    @Test
    void theThirtyFirstFiresOnlyInMonthsThatHaveOne() {
        assertThat(ticks("0 0 31 * *", "2030-01-15T00:00:00Z", 4)).containsExactly(at("2030-01-31T00:00:00Z"),
                at("2030-03-31T00:00:00Z"), at("2030-05-31T00:00:00Z"), at("2030-07-31T00:00:00Z"));
    }

    @Test
    void theTwentyNinthOfFebruaryWaitsForTheNextLeapYear() {
        assertThat(ticks("0 12 29 2 *", "2029-03-01T00:00:00Z", 2))
                .containsExactly(at("2032-02-29T12:00:00Z"), at("2036-02-29T12:00:00Z"));
    }

    @Test
    void aYearEndTickRollsIntoTheNextYear() {
        assertThat(ticks("59 23 31 12 *", "2030-12-31T23:59:00Z", 1)).containsExactly(at("2031-12-31T23:59:00Z"));
        assertThat(ticks("0 0 1 1 *", "2030-12-31T23:59:59Z", 1)).containsExactly(at("2031-01-01T00:00:00Z"));
    }

    @Test
    void weekdaysStepsListsAndRangesAreUnderstood() {
        // 2030-01-07 is a Monday
        assertThat(ticks("0 9 * * 1-5", "2030-01-11T10:00:00Z", 2)).as("Friday after nine: next is Monday")
                .containsExactly(at("2030-01-14T09:00:00Z"), at("2030-01-15T09:00:00Z"));
        assertThat(ticks("*/15 * * * *", "2030-01-07T09:07:00Z", 3)).containsExactly(
                at("2030-01-07T09:15:00Z"), at("2030-01-07T09:30:00Z"), at("2030-01-07T09:45:00Z"));
        assertThat(ticks("0 8,17 * * *", "2030-01-07T09:00:00Z", 2)).containsExactly(
                at("2030-01-07T17:00:00Z"), at("2030-01-08T08:00:00Z"));
        assertThat(ticks("0 9 * * 0", "2030-01-07T00:00:00Z", 1)).as("0 is Sunday")
                .containsExactly(at("2030-01-13T09:00:00Z"));
    }

    @Test
    void surroundingSpacesAreIgnored() {
        assertThat(ticks("  0 9 * * *  ", "2030-01-07T00:00:00Z", 1)).containsExactly(at("2030-01-07T09:00:00Z"));
    }

    @Test
    void aMissingOrBlankExpressionIsRequiredWithAnExample() {
        for (String missing : new String[] {null, "", "   "}) {
            refused(missing, "cron_schedule: is required, e.g. \"0 9 * * *\"");
        }
    }

    @Test
    void anOverlongExpressionIsRefusedBeforeParsing() {
        refused("0 " + "1,".repeat(130) + "2 * * *", "cron_schedule: must be at most 256 characters");
    }

    @Test
    void anythingButFiveValidFieldsIsRefusedNamingTheField() {
        for (String bad : List.of("* * * *", "0 9 * * * *", "60 * * * *", "0 24 * * *", "0 0 32 * *", "0 0 * 13 *",
                "0 0 * * 8", "every day", "@daily", "0 9 * * MON-", "\u0000 * * * *")) {
            refused(bad, "cron_schedule: is not a cron expression of five fields");
        }
    }

    @Test
    void anExpressionThatCanNeverFireIsRefused() {
        refused("0 0 30 2 *", "cron_schedule: ");
        refused("0 0 31 4 *", "cron_schedule: ");
    }
}
