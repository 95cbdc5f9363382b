package dev.drover.server.skills;

import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /agent}: the skills the caller can run, as agents. */
public final class SkillsService implements HttpService {
    private final Skills skills;

    public SkillsService(Skills skills) {
        this.skills = skills;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        String sort = q.string("sort_by").orElse("name");
        Skills.Sort by = switch (sort) {
            case "name" -> Skills.Sort.NAME;
            case "last_run" -> Skills.Sort.LAST_RUN;
            default -> throw dev.drover.server.http.ApiException.badRequest("sort_by", "must be name or last_run");
        };
        JsonBodies.send(res, skills.list(RequestContext.principal(req), q.string("repo").orElse(null),
                q.bool("refresh").orElse(false), by, q.bool("include_malformed_skills").orElse(false)));
    }
}
