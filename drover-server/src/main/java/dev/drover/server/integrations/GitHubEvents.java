package dev.drover.server.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * GitHub's webhook payloads ({@code issue_comment}, {@code issues}) read into triggers. Only what GitHub documents
 * is read; a payload missing what a trigger needs is ignored, not an error (the signature proved GitHub sent it).
 */
final class GitHubEvents {
    private GitHubEvents() {}

    static Parsed parse(String event, String deliveryId, JsonNode p, InboundSettings settings) {
        return switch (event) {
            case "ping" -> Parsed.ignored("ping: the webhook is set up");
            case "issue_comment" -> comment(deliveryId, p, settings);
            case "issues" -> labeled(deliveryId, p, settings);
            default -> Parsed.ignored("event " + event + " does not start runs (subscribe to issue_comment and issues)");
        };
    }

    private static Parsed comment(String deliveryId, JsonNode p, InboundSettings settings) {
        String action = p.path("action").asText();
        if (!action.equals("created")) {
            return Parsed.ignored("issue_comment " + action + ": only new comments start runs");
        }
        JsonNode comment = p.path("comment");
        String login = comment.path("user").path("login").asText(null);
        if (isBot(comment.path("user")) || isBot(p.path("sender")) || Comments.isDrovers(comment.path("body").asText())) {
            return Parsed.ignored("the comment is a bot's");
        }
        if (!Mentions.mentions(comment.path("body").asText(), settings.mention())) {
            return Parsed.ignored("the comment does not mention " + settings.mention());
        }
        String association = comment.path("author_association").asText("NONE").toUpperCase(Locale.ROOT);
        if (!settings.githubAssociations().contains(association)) {
            // agents run with the team's credentials: a stranger's comment on a public repository starts nothing
            return Parsed.ignored(login + " is " + association + " of the repository; runs start only for "
                    + String.join(", ", settings.githubAssociations().stream().sorted().toList())
                    + " (DROVER_GITHUB_TRIGGER_ASSOCIATIONS)");
        }
        JsonNode issue = p.path("issue");
        return start(deliveryId, p, issue, comment.path("body").asText(), comment.path("html_url").asText(null),
                login, "mention");
    }

    private static Parsed labeled(String deliveryId, JsonNode p, InboundSettings settings) {
        String action = p.path("action").asText();
        if (!action.equals("labeled")) {
            return Parsed.ignored("issues " + action + ": only adding the label " + settings.label() + " starts a run");
        }
        String label = p.path("label").path("name").asText();
        if (!label.equalsIgnoreCase(settings.label())) {
            return Parsed.ignored("label " + label + " is not " + settings.label());
        }
        // labelling needs triage access to the repository on GitHub: whoever did it is trusted with it
        if (isBot(p.path("sender"))) {
            return Parsed.ignored("the label was added by a bot");
        }
        return start(deliveryId, p, p.path("issue"), null, null, p.path("sender").path("login").asText(null), "label");
    }

    private static Parsed start(String deliveryId, JsonNode p, JsonNode issue, String comment, String commentUrl,
            String user, String why) {
        String project = p.path("repository").path("full_name").asText("");
        long number = issue.path("number").asLong(0);
        if (!project.matches("[^/\\s]+/[^/\\s]+") || number <= 0) {
            return Parsed.ignored("the payload names no repository and issue");
        }
        String target = issue.hasNonNull("pull_request") ? "pull_request" : "issue";
        return new Parsed.Start(new Trigger(Trigger.Forge.GITHUB, deliveryId, project, target, number,
                issue.path("title").asText(""), issue.path("body").asText(""), issue.path("html_url").asText(null),
                comment, commentUrl, user == null ? "unknown" : user, why));
    }

    /** GitHub marks apps' and Actions' accounts {@code type: Bot}; their logins end in {@code [bot]}. */
    private static boolean isBot(JsonNode user) {
        return user.path("type").asText().equalsIgnoreCase("Bot") || user.path("login").asText().endsWith("[bot]");
    }
}
