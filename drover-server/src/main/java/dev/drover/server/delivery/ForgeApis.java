package dev.drover.server.delivery;

/** Placeholder until drover-forge's ForgeKind lands: the REST API base of a forge serving {@code gitBase}. */
final class ForgeApis {
    private ForgeApis() {}

    static String derive(String forge, String gitBase) {
        if (!gitBase.startsWith("http://") && !gitBase.startsWith("https://")) {
            return null;
        }
        java.net.URI u = java.net.URI.create(gitBase);
        if (forge.equals("github") && "github.com".equalsIgnoreCase(u.getHost())) {
            return "https://api.github.com";
        }
        return switch (forge) {
            case "github" -> gitBase + "/api/v3";
            case "gitlab" -> gitBase + "/api/v4";
            case "gitea" -> gitBase + "/api/v1";
            default -> null;
        };
    }
}
