package dev.drover.api;

/** Body of {@code PUT /secrets/{uid}}: a new value (required) and description (absent or blank: none). */
public record UpdateSecretRequest(String value, String description) {

    @Override
    public String toString() {
        return "UpdateSecretRequest[value hidden]";
    }
}
