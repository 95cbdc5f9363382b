package dev.drover.api;

import java.util.List;

/** One message id per recipient, in the order of {@code to}. */
public record SendMessageResponse(List<String> messageIds) {}
