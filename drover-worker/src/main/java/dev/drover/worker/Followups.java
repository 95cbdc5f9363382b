package dev.drover.worker;

import dev.drover.api.MessageHeader;
import dev.drover.client.DroverClient;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follow-ups waiting for a run's agent ({@code POST /agent/runs/{runId}/followups}): inbox messages of kind
 * {@code followup}, read through the agent's own token the way the agent reads any message. Reading marks them
 * read, which tells the server they reached the agent (an unread one makes the server continue the run when its
 * turn ends, so a follow-up is never lost between the agent's last look and its end).
 */
final class Followups {
    private static final Logger LOG = LoggerFactory.getLogger(Followups.class);

    private Followups() {}

    /** The bodies of the unread follow-ups, oldest first, now marked read; empty if the inbox cannot be reached. */
    static List<String> take(DroverClient agentApi, String runId) {
        List<String> out = new ArrayList<>();
        try {
            for (MessageHeader header : agentApi.inbox(runId, true)) {
                if (header.followup()) {
                    out.add(agentApi.readMessage(header.messageId()).body());
                }
            }
        } catch (RuntimeException e) {
            // the next step looks again; and what stays unread continues the run after this turn
            LOG.warn("could not read the follow-ups of run {}: {}", runId, e.getMessage());
        }
        return out;
    }
}
