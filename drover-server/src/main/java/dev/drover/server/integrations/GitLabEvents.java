package dev.drover.server.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * GitLab's webhook payloads ({@code Note Hook}, {@code Issue Hook}) read into triggers. GitLab's payloads do not say
 * what the user may do in the project, so who may trigger is a list of usernames ({@code DROVER_GITLAB_TRIGGER_USERS},
 * empty by default: nobody until it is set).
 */
final class GitLabEvents {
    private GitLabEvents() {}

    static Parsed parse(String event, String deliveryId, JsonNode p, InboundSettings settings) {
        return switch (event) {
            case "Note Hook" -> note(deliveryId, p, settings);
            case "Issue Hook" -> labeled(deliveryId, p, settings);
            case "Confidential Note Hook", "Confidential Issue Hook" ->
                    Parsed.ignored(event + ": confidential issues do not start runs");
            default -> Parsed.ignored("event " + event + " does not start runs (subscribe to comments and issues)");
        };
    }

    private static Parsed note(String deliveryId, JsonNode p, InboundSettings settings) {
        JsonNode note = p.path("object_attributes");
        String type = note.path("noteable_type").asText();
        if (note.path("system").asBoolean(false)) {
            return Parsed.ignored("a system note");
        }
        if (!type.equals("Issue") && !type.equals("MergeRequest")) {
            return Parsed.ignored("a comment on a " + type + ": only issues and merge requests start runs");
        }
        String username = p.path("user").path("username").asText(null);
        if (isBot(p.path("user")) || Comments.isDrovers(note.path("note").asText())) {
            return Parsed.ignored("the comment is a bot's");
        }
        if (!Mentions.mentions(note.path("note").asText(), settings.mention())) {
            return Parsed.ignored("the comment does not mention " + settings.mention());
        }
        if (!settings.gitlabUserMayTrigger(username)) {
            return Parsed.ignored(username + " may not start runs (DROVER_GITLAB_TRIGGER_USERS)");
        }
        boolean mr = type.equals("MergeRequest");
        JsonNode on = mr ? p.path("merge_request") : p.path("issue");
        return start(deliveryId, p, on, mr ? "merge_request" : "issue", note.path("note").asText(),
                note.path("url").asText(null), username, "mention");
    }

    private static Parsed labeled(String deliveryId, JsonNode p, InboundSettings settings) {
        JsonNode labels = p.path("changes").path("labels");
        if (!added(labels).contains(settings.label().toLowerCase(Locale.ROOT))) {
            return Parsed.ignored("the label " + settings.label() + " was not added");
        }
        String username = p.path("user").path("username").asText(null);
        if (isBot(p.path("user"))) {
            return Parsed.ignored("the label was added by a bot");
        }
        if (!settings.gitlabUserMayTrigger(username)) {
            return Parsed.ignored(username + " may not start runs (DROVER_GITLAB_TRIGGER_USERS)");
        }
        return start(deliveryId, p, p.path("object_attributes"), "issue", null, null, username, "label");
    }

    /** The labels in {@code changes.labels.current} that were not in {@code previous}, lower case. */
    private static Set<String> added(JsonNode labels) {
        Set<String> current = new HashSet<>();
        labels.path("current").forEach(l -> current.add(l.path("title").asText().toLowerCase(Locale.ROOT)));
        labels.path("previous").forEach(l -> current.remove(l.path("title").asText().toLowerCase(Locale.ROOT)));
        return current;
    }

    private static Parsed start(String deliveryId, JsonNode p, JsonNode on, String target, String comment,
            String commentUrl, String user, String why) {
        String project = p.path("project").path("path_with_namespace").asText("");
        long number = on.path("iid").asLong(0);
        if (!project.matches("[^\\s]+/[^/\\s]+") || number <= 0) {
            return Parsed.ignored("the payload names no project and issue");
        }
        return new Parsed.Start(new Trigger(Trigger.Forge.GITLAB, deliveryId, project, target, number,
                on.path("title").asText(""), on.path("description").asText(""), on.path("url").asText(null),
                comment, commentUrl, user == null ? "unknown" : user, why));
    }

    /** GitLab's project, group and service-account bots are users whose flag says so, or named {@code *_bot*}. */
    private static boolean isBot(JsonNode user) {
        return user.path("bot").asBoolean(false)
                || user.path("username").asText().toLowerCase(Locale.ROOT).matches(".*_bot(_[a-z0-9]+)?");
    }
}
