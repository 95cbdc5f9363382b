package dev.drover.api;

/**
 * Names of managed secrets for third-party harnesses: only the one for the run's harness is injected, as the
 * credential that CLI reads (docs/api.md says which variable).
 */
public record HarnessAuthSecrets(String claudeAuthSecretName, String codexAuthSecretName, String geminiAuthSecretName) {

    // no one-string constructor: Jackson would take it as a creator from a JSON string ("harness_auth_secrets": "x")

    /** The name for harness {@code type} (claude, codex, gemini); null for the others or when not given. */
    public String forHarness(String type) {
        return type == null ? null : switch (type) {
            case "claude" -> claudeAuthSecretName;
            case "codex" -> codexAuthSecretName;
            case "gemini" -> geminiAuthSecretName;
            default -> null;
        };
    }
}
