package dev.drover.server.environments;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What still names an environment and so keeps it from being deleted: the schedules. Schedules sit above environments
 * (a schedule names one), so they answer through this interface, wired in {@code DroverServer}, instead of
 * environments importing them back. Asked inside the delete's transaction, after the environment's row is locked.
 */
@FunctionalInterface
public interface EnvironmentUsers {
    /** The names of the schedules that use the environment, in the transaction {@code h}. */
    List<String> namesUsing(Handle h, String environmentUid);
}
