package dev.drover.api;

/**
 * Body of {@code POST /secrets}. {@code team} chooses the scope as for environments (team-owned by default for a
 * service account or a member of exactly one team); {@code team_id} says which team when the caller is in several.
 * The value never appears in any response, log or event.
 */
public record CreateSecretRequest(String name, String value, String description, Boolean team, String teamId) {

    @Override
    public String toString() {
        return "CreateSecretRequest[name=" + name + ", team=" + team + ", teamId=" + teamId + "]";
    }
}
