package dev.drover.server.auth;

import dev.drover.api.RunCreatorInfo;
import java.util.List;

/**
 * The authenticated caller: a user or a service account, with the teams it belongs to. What a principal can
 * see is what it owns plus what its teams own ({@link #ownerIds()}). {@code worker} is set when the caller used
 * a worker key: it may register workers, claim runs of every team and act on the runs leased to its workers.
 * {@code runScope} is set when the caller used a run-scoped token (an agent): it acts as the run's creator.
 */
public record Principal(String id, Kind kind, String displayName, String email, boolean admin, List<String> teamIds,
        boolean worker, String runScope) {

    public Principal(String id, Kind kind, String displayName, String email, boolean admin, List<String> teamIds) {
        this(id, kind, displayName, email, admin, teamIds, false, null);
    }

    public Principal(String id, Kind kind, String displayName, String email, boolean admin, List<String> teamIds,
            boolean worker) {
        this(id, kind, displayName, email, admin, teamIds, worker, null);
    }

    /** This principal acting through a run-scoped token of {@code runId}. */
    public Principal scopedTo(String runId) {
        return new Principal(id, kind, displayName, email, false, teamIds, false, runId);
    }

    public enum Kind {
        USER("user"), SERVICE_ACCOUNT("service_account");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Kind ofWire(String wire) {
            return wire.equals(USER.wire) ? USER : SERVICE_ACCOUNT;
        }
    }

    public Principal {
        teamIds = List.copyOf(teamIds);
    }

    /** The owner ids whose resources this principal may see: itself first, then its teams. */
    public List<String> ownerIds() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(id), teamIds.stream()).toList();
    }

    public boolean canSee(String ownerId) {
        return id.equals(ownerId) || teamIds.contains(ownerId);
    }

    public RunCreatorInfo asCreator() {
        return new RunCreatorInfo(kind.wire(), id, displayName, email, null);
    }
}
