package dev.drover.server.identities;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What still names an agent identity and so keeps it from being deleted: the schedules. Schedules sit above
 * identities (a schedule runs as one), so they answer through this interface, wired in {@code DroverServer}, instead
 * of identities importing them back. Asked inside the delete's transaction, after the identity's row is locked.
 */
@FunctionalInterface
public interface IdentityUsers {
    /** The names of the schedules that run as the identity, in the transaction {@code h}. */
    List<String> namesUsing(Handle h, String identityUid);
}
