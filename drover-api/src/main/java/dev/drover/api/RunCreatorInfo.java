package dev.drover.api;

/** Who created a run: {@code type} is user or service_account. */
public record RunCreatorInfo(String type, String uid, String displayName, String email, String photoUrl) {}
